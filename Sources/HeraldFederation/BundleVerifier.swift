import Foundation
import HeraldCore
import HeraldJOSE

/// Verifies a peer's trust bundle against what this realm pins for the peer
/// (wire-formats §7), in this order, each failure a ``BundleRejection``:
///
/// 1. `typ` is `trust-bundle+jwt` (`.wrongType`);
/// 2. the header's key is pinned, or announced by an earlier verified bundle
///    (`.unpinnedKey`); a pinned key's material comes from the payload's
///    `federation_keys`, bound to the pin by its RFC 7638 thumbprint;
/// 3. the signature verifies with that key, under the key's own algorithm
///    (`.badSignature`: tampered, or `alg` not the key's);
/// 4. the payload is a bundle (`.malformed`);
/// 5. `iss` is the anchor's entity (`.issuerMismatch`);
/// 6. `exp` is after `now` (`.expired`);
/// 7. `sequence` is greater than the last accepted (`.replayed`);
/// 8. a delta's `since` is the last accepted sequence (`.deltaBaseMismatch`: fetch a full
///    bundle).
public enum BundleVerifier {
    /// Verifies `bundle` for the peer `anchor` describes, at `now`.
    public static func verify(_ bundle: UnverifiedBundle, anchor: PeerAnchor,
                              now: Date) throws(BundleRejection) -> VerifiedBundle {
        try checkType(bundle.header, expected: TrustBundle.type, what: "bundle")
        let payload = try? JCSParser.parse(bundle.jws.unverifiedPayload)
        let offered = (payload?["federation_keys"]).flatMap { try? TrustBundle.keySet($0, name: "federation_keys") } ?? []
        let verified = try checkSignature(bundle.jws, anchor: anchor, offered: offered, what: "bundle",
                                          unparsable: payload == nil)
        guard let payload else { throw BundleRejection(.malformed, "the bundle payload is not JSON") }
        let content = try TrustBundle(jcs: payload)

        guard content.iss == anchor.entity else {
            throw BundleRejection(.issuerMismatch, "the bundle's iss is \(content.iss), expected \(anchor.entity)")
        }
        guard content.exp > now else {
            throw BundleRejection(.expired, "bundle sequence \(content.sequence) expired at "
                                  + "\(MCPSTimestamp.format(content.exp)) (now \(MCPSTimestamp.format(now)))")
        }
        if let last = anchor.lastSequence, content.sequence <= last {
            throw BundleRejection(.replayed, "bundle sequence \(content.sequence) is not newer than the last accepted \(last)")
        }
        if let since = content.since, since != anchor.lastSequence {
            throw BundleRejection(.deltaBaseMismatch, "delta bundle \(content.sequence) is relative to sequence \(since), "
                                  + "but the last accepted is \(anchor.lastSequence.map(String.init) ?? "none"); "
                                  + "fetch a full bundle")
        }
        var updated = anchor
        updated.lastSequence = content.sequence
        updated.announced = content.federationKeys
        return VerifiedBundle(content: content, signingKey: verified.key, updatedAnchor: updated, verifiedAt: now,
                              compact: bundle.compact)
    }

    /// Refuses a JWS whose `typ` is not `expected` (compared as RFC 7515 §4.1.9 says:
    /// case-insensitively, `application/` optional).
    static func checkType(_ header: JOSEHeader, expected: String, what: String) throws(BundleRejection) {
        var typ = header.typ?.lowercased() ?? ""
        if typ.hasPrefix("application/") { typ.removeFirst("application/".count) }
        guard typ == expected else {
            throw BundleRejection(.wrongType, "the \(what)'s typ is \(header.typ ?? "missing"), expected \(expected)")
        }
    }

    /// Checks the signature with a key the anchor trusts; `offered` are the keys the
    /// unverified payload lists (usable only if pinned).
    static func checkSignature(_ jws: UnverifiedJWS, anchor: PeerAnchor, offered: [PublicJWK], what: String,
                               unparsable: Bool) throws(BundleRejection) -> VerifiedJWS {
        let candidates = anchor.candidates(kid: jws.header.kid, offered: offered)
        guard !candidates.isEmpty else {
            if unparsable {
                throw BundleRejection(.malformed, "the \(what) payload is not JSON")
            }
            throw BundleRejection(.unpinnedKey, "the \(what) is signed by key \(jws.header.kid ?? "(no kid)"), which is "
                                  + "neither pinned for \(anchor.entity) nor announced by its last verified bundle")
        }
        do { return try jws.verify(with: candidates) } catch {
            let reason = (error as? JOSEError)?.reason ?? "\(error)"
            throw BundleRejection(.badSignature, "the \(what)'s signature does not verify with key "
                                  + "\(candidates[0].thumbprint): \(reason)")
        }
    }
}

import Foundation
import HeraldCore
import HeraldJOSE

/// The payload of a trust bundle (wire-formats §7): what a realm vouches for about its own
/// agents, signed with a federation key under `typ: trust-bundle+jwt`.
///
/// ```json
/// {"iss":"https://globex.example/realms/globex","iat":1764579600,"exp":1764583200,
///  "sequence":42,"refresh_hint":300,
///  "issuer_keys":{"keys":[…]},"federation_keys":{"keys":[…]},
///  "agents":[{"sub":"billing-bot","trust_level":2,"trust_score":71,
///             "pipeline_stage":"ACTIVE","status":"active","updated_at":1764570000}]}
/// ```
///
/// A **delta** carries `since` (the sequence it is relative to) and `removed` (subs gone
/// since then), and `agents` holds only the entries that changed after `since`; see
/// ``BundleDelta`` for the scheme. A full bundle has neither member. Times are whole
/// seconds. Build one, then ``signed(by:)``; a peer's bundle is only ever read through
/// ``BundleVerifier``.
public struct TrustBundle: Sendable, Hashable {
    /// The JWS `typ` of a trust bundle.
    public static let type = "trust-bundle+jwt"

    /// `iss`: the issuing realm's issuer URL, which is also its federation entity id.
    public var iss: String
    /// `iat`, whole seconds.
    public var iat: Date
    /// `exp`, whole seconds: a peer refuses the bundle after this.
    public var exp: Date
    /// `sequence`: strictly increasing across every bundle (full or delta) the realm signs.
    public var sequence: Int64
    /// `refresh_hint`: seconds a peer should wait before fetching again.
    public var refreshHint: Int
    /// `issuer_keys`: the realm's token and passport verification keys (a JWKS).
    public var issuerKeys: [PublicJWK]
    /// `federation_keys`: the realm's federation keys, current and next (a JWKS). A key
    /// listed here may sign the next bundle without the peer re-pinning.
    public var federationKeys: [PublicJWK]
    /// `agents`: every agent (full bundle) or the changed ones (delta).
    public var agents: [BundleAgent]
    /// `since`: for a delta, the sequence it is relative to; nil for a full bundle.
    public var since: Int64?
    /// `removed`: for a delta, the subs that left the realm after `since`.
    public var removed: [String]

    /// A bundle; `since` non-nil makes it a delta.
    public init(iss: String, iat: Date, exp: Date, sequence: Int64, refreshHint: Int, issuerKeys: [PublicJWK],
                federationKeys: [PublicJWK], agents: [BundleAgent], since: Int64? = nil, removed: [String] = []) {
        self.iss = iss
        self.iat = iat
        self.exp = exp
        self.sequence = sequence
        self.refreshHint = refreshHint
        self.issuerKeys = issuerKeys
        self.federationKeys = federationKeys
        self.agents = agents
        self.since = since
        self.removed = removed
    }

    /// Whether this is a delta (it has `since`).
    public var isDelta: Bool { since != nil }

    /// The payload as compact JSON, members in the order of the example above (`since`
    /// and `removed` after `refresh_hint` for a delta).
    public func encoded() -> [UInt8] {
        var writer = JSONWriter(capacity: 1024 + agents.count * 128 + removed.count * 40)
        writer.beginObject()
        writer.member("iss", iss)
        writer.key("iat")
        writer.int(Int(Self.seconds(iat)))
        writer.key("exp")
        writer.int(Int(Self.seconds(exp)))
        writer.key("sequence")
        writer.int(Int(sequence))
        writer.member("refresh_hint", refreshHint)
        if let since {
            writer.key("since")
            writer.int(Int(since))
            writer.member("removed", strings: removed)
        }
        writer.key("issuer_keys")
        Self.writeKeySet(issuerKeys, to: &writer)
        writer.key("federation_keys")
        Self.writeKeySet(federationKeys, to: &writer)
        writer.key("agents")
        writer.beginArray()
        for agent in agents { agent.write(to: &writer) }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    /// The compact JWS, signed by `signer` (a federation key) with `typ: trust-bundle+jwt`.
    public func signed(by signer: JWTSigner) throws -> String {
        try signer.sign(claims: encoded(), typ: Self.type)
    }

    /// `{"keys":[…]}` with `kid`, `alg` and `use` on each key.
    static func writeKeySet(_ keys: [PublicJWK], to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("keys")
        writer.beginArray()
        for key in keys { key.write(to: &writer, includeMetadata: true) }
        writer.endArray()
        writer.endObject()
    }

    /// Whole seconds since 1970, fractions dropped.
    static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }
}

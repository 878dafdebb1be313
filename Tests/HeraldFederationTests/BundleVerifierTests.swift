import Foundation
import HeraldCore
import HeraldJOSE
import Testing
@testable import HeraldFederation

@Suite("Trust bundle verification (wire-formats §7)")
struct BundleVerifierTests {
    let fixture = FederationFixture()
    typealias F = FederationFixture

    @Test("a bundle round-trips: signed, verified, content equal, anchor advanced and keys announced")
    func roundTrip() throws {
        let bundle = fixture.bundle(sequence: 5)
        let compact = try fixture.signed(bundle)
        let header = try UnverifiedBundle(compact: compact + "\n").header
        #expect(header.typ == "trust-bundle+jwt" && header.alg == "ES256" && header.kid == fixture.federationKey.kid)

        let verified = try F.verify(compact, anchor: fixture.anchor)
        #expect(verified.content == bundle.withWholeSeconds)
        #expect(verified.signingKeyThumbprint == fixture.federationKey.kid)
        #expect(verified.updatedAnchor.lastSequence == 5)
        #expect(verified.updatedAnchor.announced == [fixture.federationKey.publicKey])
        #expect(verified.updatedAnchor.pins == fixture.anchor.pins)
        #expect(verified.verifiedAt == F.now && verified.compact == compact)

        let json = try JCSParser.parse(bundle.encoded())
        #expect(json["refresh_hint"] == 300 && json["sequence"] == 5 && json["since"] == nil)
        #expect(json["agents"]?.arrayValue?.first == [
            "sub": "billing-bot", "trust_level": 2, "trust_score": 70, "pipeline_stage": "ACTIVE", "status": "active",
            "updated_at": .int(Int64(F.now.timeIntervalSince1970) - 3600),
        ])
        #expect(json["issuer_keys"]?["keys"]?.arrayValue?.first?["kid"]?.stringValue == fixture.issuerKey.kid)
    }

    @Test("Ed25519 federation keys work the same way")
    func edDSA() throws {
        var fixture = FederationFixture()
        fixture.federationKey = SigningKey.generate(.edDSA)
        let verified = try F.verify(try fixture.signed(fixture.bundle()), anchor: fixture.anchor)
        #expect(verified.signingKey.algorithm == .edDSA)
    }

    @Test("a tampered payload is refused as a bad signature")
    func tampered() throws {
        let compact = try fixture.signed(fixture.bundle())
        let raised = compact.tamperingPayload { $0.replacingOccurrences(of: #""trust_level":1"#, with: #""trust_level":4"#) }
        #expect(raised != compact)
        let error = F.rejection { _ = try F.verify(raised, anchor: fixture.anchor) }
        #expect(error?.code == .badSignature, "\(String(describing: error))")

        // The signature segment altered, too.
        var bytes = Array(compact.utf8)
        bytes[bytes.count - 5] = bytes[bytes.count - 5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let flipped = F.rejection { _ = try F.verify(String(decoding: bytes, as: UTF8.self), anchor: fixture.anchor) }
        #expect(flipped?.code == .badSignature)
    }

    @Test("a bundle signed by a key that is not pinned is refused, even when it lists that key")
    func unpinned() throws {
        let stranger = SigningKey.generate(.es256)
        let bundle = fixture.bundle(federationKeys: [stranger.publicKey, fixture.federationKey.publicKey])
        let error = F.rejection { _ = try F.verify(try! fixture.signed(bundle, by: stranger), anchor: fixture.anchor) }
        #expect(error?.code == .unpinnedKey)
        #expect(error?.message.contains(stranger.kid) == true)
        #expect(error?.message.contains("neither pinned for \(F.entity)") == true)
    }

    @Test("a header kid naming the pinned key while another key signed is a bad signature, not a confusion")
    func kidLies() throws {
        let stranger = SigningKey.generate(.es256)
        let genuine = try fixture.signed(fixture.bundle())
        let forged = try fixture.signed(fixture.bundle(), by: stranger)
        let parts = forged.split(separator: ".")
        let spliced = "\(genuine.split(separator: ".")[0]).\(parts[1]).\(parts[2])"
        #expect(F.rejection { _ = try F.verify(spliced, anchor: fixture.anchor) }?.code == .badSignature)
    }

    @Test("an older or equal sequence is refused as replayed, with both numbers in the message")
    func replayed() throws {
        var anchor = fixture.anchor
        anchor.lastSequence = 9
        let older = F.rejection { _ = try F.verify(try! fixture.signed(fixture.bundle(sequence: 7)), anchor: anchor) }
        #expect(older == BundleRejection(.replayed, "bundle sequence 7 is not newer than the last accepted 9"))
        let equal = F.rejection { _ = try F.verify(try! fixture.signed(fixture.bundle(sequence: 9)), anchor: anchor) }
        #expect(equal?.code == .replayed)
        #expect(try F.verify(try fixture.signed(fixture.bundle(sequence: 10)), anchor: anchor).updatedAnchor.lastSequence
            == 10)
    }

    @Test("an expired bundle is refused; exp equal to now counts as expired")
    func expired() throws {
        let stale = try fixture.signed(fixture.bundle(lifetime: -1))
        let error = F.rejection { _ = try F.verify(stale, anchor: fixture.anchor) }
        #expect(error?.code == .expired)
        #expect(error?.message.hasPrefix("bundle sequence 1 expired at 2025-12-01T08:59:59.000Z") == true)
        let atExp = try fixture.signed(fixture.bundle(lifetime: 0))
        #expect(F.rejection { _ = try F.verify(atExp, anchor: fixture.anchor) }?.code == .expired)
    }

    @Test("iss other than the pinned entity is refused")
    func issuerMismatch() throws {
        let other = try fixture.signed(fixture.bundle(iss: "https://evil.example/realms/globex"))
        let error = F.rejection { _ = try F.verify(other, anchor: fixture.anchor) }
        #expect(error == BundleRejection(.issuerMismatch, "the bundle's iss is https://evil.example/realms/globex, "
                                         + "expected \(F.entity)"))
    }

    @Test("an oversized bundle is refused before parsing")
    func oversized() throws {
        let compact = try fixture.signed(fixture.bundle())
        let error = F.rejection { _ = try UnverifiedBundle(compact: compact, maxBytes: 100) }
        #expect(error == BundleRejection(.oversized, "the bundle is \(compact.utf8.count) bytes, over the limit of 100"))
        let garbage = String(repeating: "x", count: 2_000)
        #expect(F.rejection { _ = try UnverifiedBundle(compact: garbage, maxBytes: 1_000) }?.code == .oversized)
    }

    @Test("malformed JWS are refused: wrong part count, bad base64url, non-JSON header, crit, empty")
    func malformed() throws {
        let compact = try fixture.signed(fixture.bundle())
        let parts = compact.split(separator: ".").map(String.init)
        for text in ["", "  \n", "abc", "a.b", parts.joined(separator: ".") + ".x", "\(parts[0]).\(parts[1])!.\(parts[2])",
                     "\(Base64URL.encode(Array("not json".utf8))).\(parts[1]).\(parts[2])",
                     "\(Base64URL.encode(Array(#"{"alg":"ES256","crit":["x"],"x":1}"#.utf8))).\(parts[1]).\(parts[2])"] {
            let error = F.rejection { _ = try UnverifiedBundle(compact: text) }
            #expect(error?.code == .malformed, "\(text.prefix(40)): \(String(describing: error))")
        }
    }

    @Test("a signed payload that is not a bundle is malformed; one that is not JSON too")
    func malformedPayload() throws {
        let signer = JWTSigner(key: fixture.federationKey)
        let notJSON = try signer.sign(claims: Array("not json".utf8), typ: TrustBundle.type)
        #expect(F.rejection { _ = try F.verify(notJSON, anchor: fixture.anchor) }?.code == .malformed)

        var keySet = JSONWriter()
        TrustBundle.writeKeySet([fixture.federationKey.publicKey], to: &keySet)
        let keys = String(decoding: keySet.bytes, as: UTF8.self)
        for (payload, message) in [
            (#"{"iss":"\#(F.entity)","federation_keys":\#(keys)}"#, "the bundle's iat must be a non-negative integer"),
            (#"{"iss":"\#(F.entity)","iat":10,"exp":5,"sequence":1,"refresh_hint":1,"issuer_keys":{"keys":[]},"federation_keys":\#(keys),"agents":[]}"#,
             "the bundle's exp (5) is not after its iat (10)"),
            (#"{"iss":"\#(F.entity)","iat":1,"exp":5,"sequence":1,"refresh_hint":1,"issuer_keys":{"keys":[]},"federation_keys":\#(keys),"agents":[{"sub":"a","trust_level":7,"trust_score":1,"pipeline_stage":"ACTIVE","status":"active","updated_at":1}]}"#,
             "agents[0].trust_level must be an integer 0–4"),
            (#"{"iss":"\#(F.entity)","iat":1,"exp":5,"sequence":1,"refresh_hint":1,"issuer_keys":{"keys":[]},"federation_keys":\#(keys),"agents":[{"sub":"a","trust_level":1,"trust_score":1,"pipeline_stage":"ACTIVE","status":"killed","updated_at":1}]}"#,
             "agents[0].status must be active, suspended or revoked"),
        ] {
            let compact = try signer.sign(claims: Array(payload.utf8), typ: TrustBundle.type)
            let error = F.rejection { _ = try F.verify(compact, anchor: fixture.anchor) }
            #expect(error == BundleRejection(.malformed, message), "\(String(describing: error))")
        }
        var duplicate = fixture.bundle()
        duplicate.agents.append(F.agent("billing-bot"))
        let error = F.rejection { _ = try F.verify(try! fixture.signed(duplicate), anchor: fixture.anchor) }
        #expect(error == BundleRejection(.malformed, "agent billing-bot appears twice in the bundle"))
    }

    @Test("a JWS of another type (an access token, an entity statement) is refused as the wrong type")
    func wrongType() throws {
        let signer = JWTSigner(key: fixture.federationKey)
        let payload = fixture.bundle().encoded()
        for typ in ["at+jwt", EntityStatement.type, "JWT"] {
            let error = F.rejection { _ = try F.verify(try! signer.sign(claims: payload, typ: typ), anchor: fixture.anchor) }
            #expect(error == BundleRejection(.wrongType, "the bundle's typ is \(typ), expected trust-bundle+jwt"))
        }
        let mediaType = try signer.sign(claims: payload, typ: "application/Trust-Bundle+JWT")
        #expect(throws: Never.self) { _ = try F.verify(mediaType, anchor: fixture.anchor) }
    }

    @Test("alg must be the key's own: an EdDSA header over a P-256 key is refused")
    func algorithmPinnedByKey() throws {
        let compact = try fixture.signed(fixture.bundle())
        let parts = compact.split(separator: ".").map(String.init)
        let header = #"{"alg":"EdDSA","typ":"trust-bundle+jwt","kid":"\#(fixture.federationKey.kid)"}"#
        let swapped = "\(Base64URL.encode(Array(header.utf8))).\(parts[1]).\(parts[2])"
        let error = F.rejection { _ = try F.verify(swapped, anchor: fixture.anchor) }
        #expect(error?.code == .badSignature)
        let none = #"{"alg":"none","typ":"trust-bundle+jwt","kid":"\#(fixture.federationKey.kid)"}"#
        let unsigned = "\(Base64URL.encode(Array(none.utf8))).\(parts[1])."
        #expect(F.rejection { _ = try F.verify(unsigned, anchor: fixture.anchor) }?.code == .badSignature)
    }

    @Test("rollover: K1 announces K2, then K2 signs and is accepted without re-pinning; an unannounced K3 is not")
    func rollover() throws {
        let k1 = fixture.federationKey, k2 = SigningKey.generate(.es256), k3 = SigningKey.generate(.es256)
        var anchor = fixture.anchor

        // Before any bundle announced it, K2 is refused.
        let early = try fixture.signed(fixture.bundle(sequence: 1, federationKeys: [k2.publicKey]), by: k2)
        #expect(F.rejection { _ = try F.verify(early, anchor: anchor) }?.code == .unpinnedKey)

        let announcing = try F.verify(try fixture.signed(fixture.bundle(sequence: 1, federationKeys: [k1.publicKey, k2.publicKey])),
                                      anchor: anchor)
        anchor = announcing.updatedAnchor
        #expect(anchor.announced.map(\.thumbprint) == [k1.kid, k2.kid])
        #expect(anchor.pins == [k1.kid])

        let byK2 = try F.verify(try fixture.signed(fixture.bundle(sequence: 2, federationKeys: [k2.publicKey]), by: k2),
                                anchor: anchor)
        #expect(byK2.signingKeyThumbprint == k2.kid)
        anchor = byK2.updatedAnchor
        #expect(anchor.announced.map(\.thumbprint) == [k2.kid])

        // K3 lists itself but nobody announced it.
        let byK3 = try fixture.signed(fixture.bundle(sequence: 3, federationKeys: [k2.publicKey, k3.publicKey]), by: k3)
        #expect(F.rejection { _ = try F.verify(byK3, anchor: anchor) }?.code == .unpinnedKey)

        // The pinned K1 stays trusted (only the operator removes a pin).
        #expect(throws: Never.self) { _ = try F.verify(try fixture.signed(fixture.bundle(sequence: 4)), anchor: anchor) }

        // The anchor survives storage.
        let stored = try JSONDecoder().decode(PeerAnchor.self, from: JSONEncoder().encode(anchor))
        #expect(stored == anchor)
    }

    @Test("a delta is accepted only relative to the last accepted sequence")
    func deltaBase() throws {
        var anchor = fixture.anchor
        var delta = fixture.bundle(sequence: 8, agents: [F.agent("billing-bot", level: .l0)])
        delta.since = 6
        let first = F.rejection { _ = try F.verify(try! fixture.signed(delta), anchor: anchor) }
        #expect(first?.code == .deltaBaseMismatch)
        #expect(first?.message == "delta bundle 8 is relative to sequence 6, but the last accepted is none; fetch a full bundle")
        anchor.lastSequence = 7
        #expect(F.rejection { _ = try F.verify(try! fixture.signed(delta), anchor: anchor) }?.code == .deltaBaseMismatch)
        anchor.lastSequence = 6
        let verified = try F.verify(try fixture.signed(delta), anchor: anchor)
        #expect(verified.content.since == 6 && verified.content.isDelta)
    }

    @Test("show reads a bundle without verifying it")
    func unverifiedContent() throws {
        let stranger = SigningKey.generate(.es256)
        let bundle = try UnverifiedBundle(compact: try fixture.signed(fixture.bundle(sequence: 3), by: stranger))
        #expect(try bundle.unverifiedContent().sequence == 3)
    }
}

extension TrustBundle {
    /// The bundle as it reads back: times in whole seconds.
    var withWholeSeconds: TrustBundle {
        var copy = self
        copy.iat = Date(timeIntervalSince1970: TimeInterval(Self.seconds(iat)))
        copy.exp = Date(timeIntervalSince1970: TimeInterval(Self.seconds(exp)))
        return copy
    }
}

import Foundation
import HeraldFederation
import HeraldJOSE

extension FuzzTarget {
    /// The federation decoders: ``UnverifiedBundle`` (compact JWS), the trust-bundle payload
    /// (``TrustBundle``) and the entity statement (``EntityStatement``). Each input is read
    /// or refused with a BundleRejection; what is read encodes and reads back as itself; a
    /// token nobody trusted signed never verifies; the input signed by a key the anchor
    /// trusts verifies exactly when its content passes the checks ``BundleVerifier``
    /// documents, and then reads as the decoder read it.
    public static let bundle = FuzzTarget(
        name: "bundle",
        summary: "UnverifiedBundle / TrustBundle / EntityStatement: BundleRejection or a value whose encoding "
            + "reads back equal; unsigned input never verifies; input signed by a trusted key verifies iff valid"
    ) { bytes throws(FuzzPropertyViolation) in
        let name = "bundle"
        let anchor = PeerAnchor(entity: FuzzFederation.entity, pins: [FuzzKeys.p256.thumbprint],
                                announced: [FuzzKeys.p256])
        let now = FuzzFederation.now

        // 1. The bytes as a bundle payload.
        var content: TrustBundle?
        do { content = try TrustBundle(payload: bytes) } catch { _ = error }
        if let content {
            let again: TrustBundle
            do { again = try TrustBundle(payload: content.encoded()) } catch {
                throw FuzzPropertyViolation(name, "an encoded bundle is refused: \(error) — \(Check.show(content.encoded()))")
            }
            try Check.that(again == content, name, "bundle \(Check.show(bytes)) reads differently after encoding as "
                           + Check.show(content.encoded()))
        }
        let expected = content.map { $0.iss == anchor.entity && $0.exp > now && $0.since == nil } ?? false
        let signed = try FuzzFederation.sign(bytes, typ: TrustBundle.type, name: name)
        let outcome: Result<VerifiedBundle, BundleRejection>
        do throws(BundleRejection) { outcome = .success(try BundleVerifier.verify(try UnverifiedBundle(compact: signed), anchor: anchor, now: now)) } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let verified):
            try Check.that(expected, name, "a bundle verified that the verifier's rules refuse: \(Check.show(bytes))")
            try Check.that(verified.content == content, name, "the verified bundle is not the one decoded")
        case .failure(let rejection):
            try Check.that(!expected, name, "a valid bundle signed by a trusted key was refused: \(rejection)")
        }

        // 2. The bytes as an entity statement payload.
        var statement: EntityStatement?
        if let value = try? JCSParser.parse(bytes) {
            do { statement = try EntityStatement(jcs: value) } catch { _ = error }
        }
        if let statement {
            let encoded = statement.encoded()
            let again: EntityStatement
            do { again = try EntityStatement(jcs: try JCSParser.parse(encoded)) } catch {
                throw FuzzPropertyViolation(name, "an encoded entity statement is refused: \(error)")
            }
            try Check.that(again == statement, name, "entity statement \(Check.show(bytes)) reads differently after "
                           + "encoding as \(Check.show(encoded))")
        }
        let statementExpected = statement.map { $0.issuer == anchor.entity && $0.exp > now } ?? false
        let signedStatement = try FuzzFederation.sign(bytes, typ: EntityStatement.type, name: name)
        let statementOutcome: Result<VerifiedEntityStatement, BundleRejection>
        do throws(BundleRejection) { statementOutcome = .success(try EntityStatement.verify(signedStatement, anchor: anchor, now: now)) } catch {
            statementOutcome = .failure(error)
        }
        switch statementOutcome {
        case .success(let verified):
            try Check.that(statementExpected, name, "an entity statement verified that the rules refuse")
            try Check.that(verified.statement == statement, name, "the verified statement is not the one decoded")
        case .failure(let rejection):
            try Check.that(!statementExpected, name, "a valid entity statement was refused: \(rejection)")
        }

        // 3. The bytes as a compact bundle from the wire: nobody the anchor trusts signed it.
        do {
            let unverified = try UnverifiedBundle(compact: String(decoding: bytes, as: UTF8.self))
            _ = try? unverified.unverifiedContent()
            _ = try BundleVerifier.verify(unverified, anchor: anchor, now: now)
            throw FuzzPropertyViolation(name, "a bundle the fuzz key did not sign verified: \(Check.show(bytes))")
        } catch let violation as FuzzPropertyViolation {
            throw violation
        } catch {
            try Check.that(error is BundleRejection, name, "UnverifiedBundle threw \(type(of: error))")
        }
        do { _ = try EntityStatement.verify(String(decoding: bytes, as: UTF8.self), anchor: anchor, now: now) } catch {
            _ = error
            return
        }
        throw FuzzPropertyViolation(name, "an entity statement the fuzz key did not sign verified")
    }
}

/// The peer the federation target plays.
enum FuzzFederation {
    static let entity = "https://peer.example/realms/peer"
    /// 2026-01-01T00:00:00Z.
    static let now = Date(timeIntervalSince1970: 1_767_225_600)
    static let signer = JWTSigner(key: FuzzKeys.p256Signing)

    /// `bytes` as the payload of a compact JWS of type `typ`, signed by the fuzz P-256 key.
    static func sign(_ bytes: [UInt8], typ: String, name: String) throws(FuzzPropertyViolation) -> String {
        do { return try signer.sign(claims: bytes, typ: typ) } catch {
            throw FuzzPropertyViolation(name, "the fuzz key could not sign: \(error)")
        }
    }
}

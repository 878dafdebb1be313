import Foundation
import HeraldCore
import HeraldJOSE
@testable import HeraldVerifier
import Testing

@Suite("Offline passport verification")
struct PassportVerifierTests {
    static let issuer = "https://herald.example/realms/acme"
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    let issuerKey = SigningKey.generate(.es256)
    let otherKey = SigningKey.generate(.es256)
    let agentKey = SigningKey.generate(.es256)

    var verifier: PassportVerifier { PassportVerifier(keys: [otherKey.publicKey, issuerKey.publicKey], issuer: Self.issuer) }

    func claims(iat: Int64 = 1_767_225_000, exp: Int64 = 1_767_229_200, iss: String = issuer) -> JWTPassportClaims {
        JWTPassportClaims(
            issuer: iss, subject: "agent-7", issuedAt: iat, expiresAt: exp, passportID: MCPSPassport.newID(),
            agent: PassportAgent(name: "ledger-bot", version: "2.1.0", capabilities: ["payment_initiate"]),
            codeHash: "sha256:abc", trustLevel: .l3, trustScore: 71, pipelineStage: "ACTIVE",
            confirmationKey: agentKey.publicKey,
            status: StatusListReference(index: 42, uri: Self.issuer + "/statuslists/1"))
    }

    func mcps(expires: Date = Date(timeIntervalSince1970: 1_767_229_200), issuer: String = issuer) -> MCPSPassport {
        MCPSPassport(agent: PassportAgent(name: "ledger-bot", version: "2.1.0", capabilities: ["read"]),
                     publicKey: agentKey.publicKey, origin: "https://api.example.com", trustLevel: .l2,
                     issuedAt: Date(timeIntervalSince1970: 1_767_225_000), expiresAt: expires, issuer: issuer)
    }

    private func refusal(_ passport: String, by verifier: PassportVerifier? = nil) -> PassportVerificationError? {
        do {
            _ = try (verifier ?? self.verifier).verify(passport, now: Self.now)
            return nil
        } catch {
            return error
        }
    }

    @Test("a JWT passport verifies and carries every claim of wire-formats §4")
    func jwtPassport() throws {
        let original = claims()
        let token = try original.signed(by: JWTSigner(key: issuerKey))
        let header = try UnverifiedJWS(compact: token).header
        #expect(header.typ == "agent-passport+jwt" && header.alg == "ES256" && header.kid == issuerKey.kid)
        let verified = try verifier.verify(token, now: Self.now)
        #expect(verified.format == .jwt)
        #expect(verified.jwtClaims == original)
        #expect(verified.subject == "agent-7" && verified.trustLevel == .l3 && verified.trustScore == 71)
        #expect(verified.pipelineStage == "ACTIVE" && verified.agentKey == agentKey.publicKey)
        #expect(verified.signingKey == issuerKey.publicKey)
        #expect(verified.status == StatusListReference(index: 42, uri: Self.issuer + "/statuslists/1"))
        // The issuance response wrapper and surrounding white space are accepted too.
        #expect(try verifier.verify("\n{\"passport\":\"\(token)\"}\n", now: Self.now).passportID == original.passportID)
        #expect(try verifier.verify(token + "\n", now: Self.now).passportID == original.passportID)

        let payload = try JCSParser.parse(try UnverifiedJWS(compact: token).verify(with: [issuerKey.publicKey]).payload)
        for member in ["iss", "sub", "iat", "exp", "jti", "agent", "code_hash", "trust_level", "trust_score",
                       "pipeline_stage", "cnf", "status"] {
            #expect(payload[member] != nil, "\(member)")
        }
        #expect(payload["cnf"]?["jwk"] == agentKey.publicKey.jcsValue)
        #expect(payload["status"]?["status_list"]?["idx"] == 42)
    }

    @Test("an MCPS passport verifies with a key of the JWKS")
    func mcpsPassport() throws {
        let passport = mcps()
        let json = String(decoding: try passport.signed(with: issuerKey).json, as: UTF8.self)
        let verified = try verifier.verify(json, now: Self.now)
        #expect(verified.format == .mcps && verified.mcpsPassport == passport)
        #expect(verified.trustLevel == .l2 && verified.signingKey == issuerKey.publicKey && verified.subject == nil)
    }

    @Test("JWT refusals say exactly why")
    func jwtRefusals() throws {
        let signer = JWTSigner(key: issuerKey)
        let expired = try claims(iat: 1_767_220_000, exp: 1_767_225_600).signed(by: signer)
        #expect(refusal(expired) == PassportVerificationError(.expired, "expired at 2026-01-01T00:00:00.000Z"))
        let future = try claims(iat: 1_767_226_000).signed(by: signer)
        #expect(refusal(future)?.code == .notYetValid)
        #expect(refusal(future, by: PassportVerifier(keys: [issuerKey.publicKey], leeway: 600)) == nil)

        let accessToken = try signer.sign(claims: claims().encoded, typ: "at+jwt")
        #expect(refusal(accessToken) == PassportVerificationError(.wrongType, "typ is at+jwt, expected agent-passport+jwt"))

        let foreign = try claims().signed(by: JWTSigner(key: SigningKey.generate(.es256)))
        #expect(refusal(foreign) == PassportVerificationError(.unknownKey, "kid \(try UnverifiedJWS(compact: foreign).header.kid!) is not in the JWKS"))

        // Same kid, other key's signature: the signature check fails.
        let parts = try claims().signed(by: signer).split(separator: ".")
        let forged = try claims().signed(by: JWTSigner(key: otherKey)).split(separator: ".")
        #expect(refusal("\(parts[0]).\(parts[1]).\(forged[2])")?.code == .badSignature)

        let wrongIssuer = try claims(iss: "https://evil.example").signed(by: signer)
        #expect(refusal(wrongIssuer) == PassportVerificationError(
            .wrongIssuer, "iss is https://evil.example, expected \(Self.issuer)"))

        let none = Base64URL.encode(Array(#"{"alg":"none","typ":"agent-passport+jwt"}"#.utf8)) + "."
            + Base64URL.encode(claims().encoded) + "."
        #expect(refusal(none)?.code == .unsupportedAlgorithm)
        #expect(refusal("not a passport")?.code == .malformed)
        #expect(refusal("   ")?.code == .malformed)
    }

    @Test("MCPS refusals say exactly why")
    func mcpsRefusals() throws {
        let expired = try mcps(expires: Self.now.addingTimeInterval(-1)).signed(with: issuerKey)
        #expect(refusal(String(decoding: expired.json, as: UTF8.self))
                == PassportVerificationError(.expired, "expired at 2025-12-31T23:59:59.000Z"))

        let foreign = try mcps().signed(with: SigningKey.generate(.es256))
        #expect(refusal(String(decoding: foreign.json, as: UTF8.self))
                == PassportVerificationError(.badSignature, "signature does not verify with any key of the JWKS"))

        let signed = try mcps().signed(with: issuerKey)
        guard case .object(var members) = signed.jcsValue else { Issue.record("not an object"); return }
        members["trust_level"] = 4
        #expect(refusal(JCS.string(.object(members)))?.code == .badSignature)
        members["trust_level"] = 2
        #expect(refusal(JCS.string(.object(members))) == nil)
        members["signature"] = nil
        #expect(refusal(JCS.string(.object(members)))?.reason.contains("no signature") == true)

        let wrongIssuer = try mcps(issuer: "self").signed(with: issuerKey)
        #expect(refusal(String(decoding: wrongIssuer.json, as: UTF8.self))?.code == .wrongIssuer)
        let floaty = String(decoding: signed.json, as: UTF8.self).replacingOccurrences(of: #""trust_level":2"#, with: #""trust_level":2.0"#)
        #expect(refusal(floaty)?.reason.contains("non-integer") == true)
        let badID = String(decoding: signed.json, as: UTF8.self).replacingOccurrences(of: "\"asp_", with: "\"xyz_")
        #expect(refusal(badID)?.reason.contains("does not start with asp_") == true)
    }

    @Test("the golden vector passport verifies with the vector PEM; a wrong issuer is named")
    func goldenVector() throws {
        let file = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        let vectorsURL = file.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/vectors/mcps-vectors.json")
        let data = try #require(FileManager.default.contents(atPath: vectorsURL.path), """
            \(vectorsURL.path) is missing: this test reads mcps-secure 1.0's golden vectors from the \
            project's shared/ directory beside the repository (../shared/vectors/mcps-vectors.json, \
            described in ../shared/README.md). Put a copy of shared/ next to this checkout and rerun.
            """)
        let vectors = try JCSParser.parse(Array(data))
        let key = try PublicJWK(pem: vectors["public_key_pem"]!.stringValue!)
        let passport = JCS.string(vectors["passport_signed"]!)
        let verified = try PassportVerifier(keys: [key], issuer: "ta.example").verify(passport, now: Self.now)
        #expect(verified.passportID == "asp_00112233445566778899aabbccddeeff" && verified.trustLevel == .l1)
        #expect(refusal(passport, by: PassportVerifier(keys: [key], issuer: Self.issuer))
                == PassportVerificationError(.wrongIssuer, "issuer is ta.example, expected \(Self.issuer)"))
        #expect(refusal(passport, by: PassportVerifier(keys: [issuerKey.publicKey]))
                == PassportVerificationError(.badSignature, "signature does not verify with the key"))
    }
}

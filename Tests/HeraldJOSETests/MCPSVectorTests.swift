import Crypto
import Foundation
import HeraldCore
@testable import HeraldJOSE
import Testing

/// Herald against mcps-secure 1.0's golden vectors (`../shared/vectors/mcps-vectors.json`
/// beside the repository): the JCS strings byte for byte, the hashes, and every signature.
@Suite("MCPS golden vectors")
struct MCPSVectorTests {
    static let vectorsURL: URL = {
        let file = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        let repository = file.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repository.deletingLastPathComponent().appendingPathComponent("shared/vectors/mcps-vectors.json")
    }()

    let vectors: JCSValue
    let publicKey: PublicJWK
    let privateKey: SigningKey

    init() throws {
        let data = try #require(FileManager.default.contents(atPath: Self.vectorsURL.path), """
            \(Self.vectorsURL.path) is missing: these tests read mcps-secure 1.0's golden vectors from the \
            project's shared/ directory beside the repository (../shared/vectors/mcps-vectors.json, \
            described in ../shared/README.md). Put a copy of shared/ next to this checkout and rerun.
            """)
        vectors = try JCSParser.parse(Array(data))
        publicKey = try PublicJWK(pem: vectors["public_key_pem"]!.stringValue!)
        privateKey = try SigningKey(p256PEM: vectors["private_key_pem"]!.stringValue!)
    }

    private func string(_ name: String) -> String { vectors[name]?.stringValue ?? "(missing \(name))" }
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test("the keys: PEM, JWK and private key agree")
    func keys() throws {
        #expect(publicKey == (try PublicJWK(jcs: vectors["public_jwk"]!)))
        #expect(privateKey.publicKey == publicKey)
        #expect(publicKey.pemRepresentation == string("public_key_pem"))
    }

    @Test("passport: Herald builds passport_jcs byte for byte and verifies passport_signed")
    func passport() throws {
        let unsigned = vectors["passport_unsigned"]!
        #expect(text(JCS.canonicalize(unsigned)) == string("passport_jcs"))
        // Built from Herald's own type, not from the parsed vector.
        let passport = MCPSPassport(
            passportID: "asp_00112233445566778899aabbccddeeff",
            agent: PassportAgent(name: "vector-agent", version: "1.0.0", capabilities: ["read", "write"]),
            publicKey: publicKey, origin: "https://api.example.com", scan: .null, trustLevel: .l1,
            issuedAt: MCPSTimestamp.parse("2026-01-01T00:00:00.000Z")!,
            expiresAt: MCPSTimestamp.parse("2099-01-01T00:00:00.000Z")!, issuer: "ta.example")
        #expect(text(passport.signingInput) == string("passport_jcs"))
        #expect(passport.jcsValue == unsigned)

        let signed = vectors["passport_signed"]!
        let unverified = try UnverifiedMCPSPassport(signed)
        #expect(unverified.signingInput == Array(string("passport_jcs").utf8))
        #expect(unverified.unverifiedPassport == passport)
        let verified = try unverified.verify(with: [SigningKey.generate(.es256).publicKey, publicKey])
        #expect(verified.key == publicKey)
        #expect(verified.signature == signed["signature"]?.stringValue)

        // Signing with the vector key: ECDSA is randomized, so the bytes differ but verify.
        let ours = try passport.signed(with: privateKey)
        #expect(ours.canonical == Array(string("passport_jcs").utf8))
        #expect(try UnverifiedMCPSPassport(json: ours.json).verify(with: [publicKey]).passport == passport)
        #expect(!ECDSALowS.isHigh(Array(Data(base64Encoded: ours.signature)!)))
    }

    @Test("the vector signatures are low-S, standard base64 with padding")
    func vectorSignatureEncoding() {
        let signatures = [vectors["passport_signed"]?["signature"], vectors["envelope"]?["mcps"]?["signature"],
                          vectors["tool_signature"], vectors["revocation_response_signed"]?["signature"]]
        for signature in signatures {
            let raw = signature?.stringValue.flatMap { Data(base64Encoded: $0) }.map(Array.init)
            #expect(raw?.count == 64)
            #expect(raw.map(ECDSALowS.isHigh) == false)
        }
    }

    @Test("message envelope: message_jcs, message_hash, sig_payload_jcs and envelope.mcps.signature")
    func message() throws {
        let message = vectors["message"]!
        #expect(text(JCS.canonicalize(message)) == string("message_jcs"))
        #expect(MCPSEnvelope.messageHash(message) == string("message_hash"))
        let envelope = vectors["envelope"]!
        let mcps = envelope["mcps"]!
        guard case .object(var rest) = envelope else { Issue.record("envelope is not an object"); return }
        rest["mcps"] = nil
        #expect(MCPSEnvelope.messageHash(.object(rest)) == string("message_hash"))
        let payload = MCPSEnvelope.signaturePayload(
            messageHash: string("message_hash"), nonce: mcps["nonce"]!.stringValue!,
            passportID: mcps["passport_id"]!.stringValue!, timestamp: mcps["timestamp"]!.stringValue!)
        #expect(text(payload) == string("sig_payload_jcs"))
        #expect(MCPSSignature.isValid(mcps["signature"]!.stringValue!, of: payload, by: publicKey))
        let ours = try MCPSSignature.sign(payload, with: privateKey)
        #expect(MCPSSignature.isValid(ours, of: payload, by: publicKey))
    }

    @Test("tool: tool_jcs, tool_hash and tool_signature")
    func tool() throws {
        let payload = try MCPSEnvelope.toolPayload(vectors["tool"]!, authorOrigin: string("tool_author_origin"))
        #expect(text(payload) == string("tool_jcs"))
        #expect(MCPSEnvelope.hex(SHA256.hash(data: payload)) == string("tool_hash"))
        #expect(MCPSSignature.isValid(string("tool_signature"), of: payload, by: publicKey))
        #expect(!MCPSSignature.isValid(string("tool_signature"),
                                       of: try MCPSEnvelope.toolPayload(vectors["tool"]!, authorOrigin: nil), by: publicKey))
    }

    @Test("revocation response: revocation_response_jcs byte for byte, nil members left out, signature verifies")
    func revocationResponse() throws {
        #expect(text(JCS.canonicalize(vectors["revocation_response_unsigned"]!)) == string("revocation_response_jcs"))
        let response = MCPSRevocationResponse(
            passportID: "asp_00112233445566778899aabbccddeeff", status: .valid, trustLevel: .l1,
            checkedAt: MCPSTimestamp.parse("2026-01-01T00:00:00.000Z")!)
        #expect(text(JCS.canonicalize(response.jcsValue)) == string("revocation_response_jcs"))
        let signed = vectors["revocation_response_signed"]!
        #expect(MCPSRevocationResponse.isSignatureValid(body: JCS.canonicalize(signed), key: publicKey))
        let body = try response.signedBody(with: privateKey)
        #expect(MCPSRevocationResponse.isSignatureValid(body: body, key: publicKey))
        #expect(!MCPSRevocationResponse.isSignatureValid(body: body, key: SigningKey.generate(.es256).publicKey))
        let revoked = MCPSRevocationResponse(passportID: response.passportID, status: .revoked, reason: "killed: incident 7",
                                             revokedAt: Date(timeIntervalSince1970: 1_767_225_660), trustLevel: nil,
                                             checkedAt: Date(timeIntervalSince1970: 1_767_225_661))
        let revokedBody = try JCSParser.parse(try revoked.signedBody(with: privateKey))
        #expect(revokedBody["status"] == "REVOKED")
        #expect(revokedBody["revoked_at"] == "2026-01-01T00:01:00.000Z")
        #expect(revokedBody["trust_level"] == nil)
    }
}

import Foundation
import HeraldCore
import HeraldJOSE
import HeraldTesting
import Testing
@testable import herald

@Suite("herald passport verify (offline)")
struct PassportVerifyTests {
    static let issuer = "https://herald.example/realms/acme"

    let issuerKey = SigningKey.generate(.es256)
    let agentKey = SigningKey.generate(.es256)

    func jwt(expiresIn seconds: Int64 = 3600, typ: String = JWTPassportClaims.type) throws -> String {
        let now = Int64(Date().timeIntervalSince1970)
        let claims = JWTPassportClaims(
            issuer: Self.issuer, subject: "agent-7", issuedAt: now - 60, expiresAt: now + seconds,
            passportID: MCPSPassport.newID(), agent: PassportAgent(name: "ledger-bot", version: "2.1.0", capabilities: []),
            codeHash: nil, trustLevel: .l2, trustScore: 55, pipelineStage: "ACTIVE", confirmationKey: agentKey.publicKey,
            status: nil)
        return try JWTSigner(key: issuerKey).sign(claims: claims.encoded, typ: typ)
    }

    func mcps() throws -> String {
        let passport = MCPSPassport(agent: PassportAgent(name: "ledger-bot", version: "2.1.0", capabilities: ["read"]),
                                    publicKey: agentKey.publicKey, origin: nil, trustLevel: .l1,
                                    issuedAt: Date().addingTimeInterval(-60), expiresAt: Date().addingTimeInterval(3600),
                                    issuer: Self.issuer)
        return String(decoding: try passport.signed(with: issuerKey).json, as: UTF8.self)
    }

    @Test("valid JWT and MCPS passports exit 0 with a summary; PEM and api/ta/public-key documents work as keys")
    func valid() async throws {
        let cli = try CLIHarness()
        defer { cli.directory.remove() }
        let jwks = try cli.directory.write("jwks.json", #"{"keys":[\#(issuerKey.publicKey.json(includeMetadata: true))]}"#)
        let pem = try cli.directory.write("ta.pem", issuerKey.publicKey.pemRepresentation!)
        let document = try cli.directory.write(
            "ta.json", JCS.string(["pem": .string(issuerKey.publicKey.pemRepresentation!), "jwk": issuerKey.publicKey.jcsValue]))
        let token = try cli.directory.write("passport.jwt", try jwt() + "\n")
        let result = await cli.run(["passport", "verify", token, "--jwks", jwks, "--issuer", Self.issuer])
        #expect(result.status == 0, "\(result)")
        #expect(result.output.contains("trust_level     2"))
        #expect(result.output.contains("format          jwt"))

        let passport = try cli.directory.write("passport.json", try mcps())
        for keys in [jwks, pem, document] {
            let json = await cli.run(["passport", "verify", passport, "--jwks", keys, "--output", "json"])
            #expect(json.status == 0, "\(json)")
            let value = try JSONValue(parsing: Data(json.output.utf8))
            #expect(value["format"] == "mcps" && value["valid"] == .bool(true) && value["trust_level"]?.int == 1)
        }
    }

    @Test("refusals exit 2 with the reason on one line; usage errors exit 1; an unreachable JWKS URL exits 3")
    func refusals() async throws {
        let cli = try CLIHarness()
        defer { cli.directory.remove() }
        let jwks = try cli.directory.write("jwks.json", #"{"keys":[\#(issuerKey.publicKey.json(includeMetadata: true))]}"#)
        let expired = try cli.directory.write("expired.jwt", try jwt(expiresIn: -10))
        let result = await cli.run(["passport", "verify", expired, "--jwks", jwks])
        #expect(result.status == 2, "\(result)")
        #expect(result.errors.hasPrefix("herald: passport refused: expired at "))
        #expect(!result.errors.contains("\n"))

        let accessToken = try cli.directory.write("at.jwt", try jwt(typ: "at+jwt"))
        let typ = await cli.run(["passport", "verify", accessToken, "--jwks", jwks])
        #expect(typ.status == 2 && typ.errors == "herald: passport refused: typ is at+jwt, expected agent-passport+jwt")

        let wrongIssuer = await cli.run(["passport", "verify", try cli.directory.write("ok.jwt", try jwt()), "--jwks", jwks,
                                         "--issuer", "https://other.example"])
        #expect(wrongIssuer.status == 2 && wrongIssuer.errors.contains("iss is \(Self.issuer), expected https://other.example"))

        let otherKeys = try cli.directory.write(
            "other.json", #"{"keys":[\#(SigningKey.generate(.es256).publicKey.json(includeMetadata: true))]}"#)
        let mcpsFile = try cli.directory.write("passport.json", try mcps())
        let badSignature = await cli.run(["passport", "verify", mcpsFile, "--jwks", otherKeys])
        #expect(badSignature.status == 2 && badSignature.errors == "herald: passport refused: signature does not verify with the key")

        #expect(await cli.run(["passport", "verify", mcpsFile]).status == 1)
        #expect(await cli.run(["passport", "verify", cli.directory.file("missing"), "--jwks", jwks]).status == 1)
        #expect(await cli.run(["passport", "verify", mcpsFile, "--jwks", cli.directory.file("missing")]).status == 1)
        let unreachable = await cli.run(["passport", "verify", mcpsFile, "--jwks", "http://127.0.0.1:9/jwks"])
        #expect(unreachable.status == 3, "\(unreachable)")
    }

    @Test("the hidden bench verb measures and reports the ratio")
    func bench() async throws {
        let cli = try CLIHarness()
        defer { cli.directory.remove() }
        let result = await cli.run(["passport", "bench", "--seconds", "0.05", "--output", "json"])
        #expect(result.status == 0, "\(result)")
        let value = try JSONValue(parsing: Data(result.output.utf8))
        #expect((value["raw_es256_per_s"]?.int ?? 0) > 0 && (value["mcps_passport_per_s"]?.int ?? 0) > 0)
    }
}

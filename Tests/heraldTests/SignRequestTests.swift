import Foundation
import HeraldCore
import HeraldJOSE
import HeraldTesting
import HeraldVerifier
import Testing
@testable import herald

@Suite("herald sign-request")
struct SignRequestTests {
    static let issuer = "https://herald.example/realms/acme"
    let issuerKey = SigningKey.generate(.es256)

    func passport(for agent: SigningKey, level: TrustLevel = .l2) throws -> String {
        let now = Int64(Date().timeIntervalSince1970)
        return try JWTPassportClaims(
            issuer: Self.issuer, subject: "agent-7", issuedAt: now - 60, expiresAt: now + 3600,
            passportID: MCPSPassport.newID(), agent: PassportAgent(name: "bot", version: "1", capabilities: []),
            codeHash: nil, trustLevel: level, trustScore: 50, pipelineStage: "ACTIVE", confirmationKey: agent.publicKey,
            status: nil
        ).signed(by: JWTSigner(key: issuerKey))
    }

    /// The private JWK of `key`; `x` replaced when given (a JWK whose halves disagree).
    static func privateJWK(_ key: SigningKey, x: String? = nil) -> String {
        guard case .object(var members) = key.publicKey.jcsValue else { return "" }
        members["d"] = .string(Base64URL.encode(key.privateKeyBytes))
        if let x { members["x"] = .string(x) }
        return JCS.string(.object(members))
    }

    var verifier: AgentSignatureVerifier {
        AgentSignatureVerifier(trustedIssuers: [Self.issuer: StaticJWKS(keys: [issuerKey.publicKey])])
    }

    @Test("the printed headers verify, for an Ed25519 private JWK and a P-256 one, with the target AsyncHTTPClient sends")
    func headersVerify() async throws {
        let cli = try CLIHarness()
        defer { cli.directory.remove() }
        for (algorithm, trust) in [(SigningAlgorithm.edDSA, "L1"), (.es256, "L2")] {
            let agent = SigningKey.generate(algorithm)
            let token = try passport(for: agent)
            let keyFile = try cli.directory.write("agent-\(algorithm.rawValue).jwk", Self.privateJWK(agent))
            let passportFile = try cli.directory.write("passport.json", #"{"passport":"\#(token)"}"#)
            let result = await cli.run(["sign-request", "http://rp.example:8090/deploy?env=prod&team=a%2Fb",
                                        "--key", keyFile, "--passport", passportFile, "--data", #"{"a":1}"#,
                                        "--trust", trust])
            #expect(result.status == 0, "\(result)")
            let lines = result.output.split(separator: "\n").map(String.init)
            #expect(lines.count == 2 && lines[0].hasPrefix("Agent-Signature: ") && lines[1] == "Agent-Passport: \(token)")
            let agentSeen = try await verifier.verify(
                method: "POST", target: "/deploy?env=prod&team=a%2Fb",
                signature: String(lines[0].dropFirst("Agent-Signature: ".count)), passport: token,
                body: Array(#"{"a":1}"#.utf8))
            #expect(agentSeen.algorithm == algorithm.rawValue && agentSeen.level.name == trust)
            #expect(agentSeen.keyID == agent.publicKey.thumbprint)
        }
    }

    @Test("the signed target is the URL's percent-encoded path and query, / when the path is empty")
    func targets() throws {
        #expect(try SignRequestCommand.target(of: "http://h:1/a%20b/c?x=1&y=%2F") == "/a%20b/c?x=1&y=%2F")
        #expect(try SignRequestCommand.target(of: "https://h") == "/")
        #expect(try SignRequestCommand.target(of: "https://h?q") == "/?q")
        #expect(throws: CLIError.self) { try SignRequestCommand.target(of: "/relative") }
        #expect(throws: CLIError.self) { try SignRequestCommand.target(of: "ftp://h/x") }
    }

    @Test("wrong keys, passports and bodies are refused locally with exit 1")
    func refusals() async throws {
        let cli = try CLIHarness()
        defer { cli.directory.remove() }
        let agent = SigningKey.generate(.es256)
        let token = try passport(for: agent)
        let other = try cli.directory.write("other.jwk", Self.privateJWK(SigningKey.generate(.es256)))
        let mismatched = try cli.directory.write("bad.jwk", Self.privateJWK(
            agent, x: Base64URL.encode([UInt8](repeating: 1, count: 32))))
        let edKey = SigningKey.generate(.edDSA)
        let edFile = try cli.directory.write("ed.jwk", Self.privateJWK(edKey))
        let good = try cli.directory.write("agent.jwk", Self.privateJWK(agent))

        let notTheKey = await cli.run(["sign-request", "http://h/", "--key", other, "--passport", token])
        #expect(notTheKey.status == 1 && notTheKey.errors.contains("not the passport's key"), "\(notTheKey)")
        let halves = await cli.run(["sign-request", "http://h/", "--key", mismatched, "--passport", token])
        #expect(halves.status == 1 && halves.errors.contains("do not belong to its private key"), "\(halves)")
        let noPassport = await cli.run(["sign-request", "http://h/", "--key", good, "--passport", "nope"])
        #expect(noPassport.status == 1 && noPassport.errors.contains("neither a readable file nor"), "\(noPassport)")
        let badTrust = await cli.run(["sign-request", "http://h/", "--key", good, "--passport", token, "--trust", "L9"])
        #expect(badTrust.status == 1, "\(badTrust)")
        let mcpsEd = await cli.run(["sign-request", "http://h/", "--key", edFile, "--passport", try passport(for: edKey),
                                    "--format", "mcps", "--data", "{}"])
        #expect(mcpsEd.status == 1 && mcpsEd.errors.contains("ES256"), "\(mcpsEd)")
        let mcpsArray = await cli.run(["sign-request", "http://h/", "--key", good, "--passport", token,
                                       "--format", "mcps", "--data", "[1]"])
        #expect(mcpsArray.status == 1 && mcpsArray.errors.contains("JSON object"), "\(mcpsArray)")
    }

    @Test("--format mcps writes an envelope whose signature covers the message hash, nonce, passport id and time")
    func mcpsEnvelope() async throws {
        let cli = try CLIHarness()
        defer { cli.directory.remove() }
        // A PKCS#8 PEM, as openssl genpkey writes one (the repository's demo key).
        let keyFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../realms/demo-keys/ledger-agent.DEMO-ONLY.key.pem").standardized.path
        let agent = try SigningKey(p256PEM: String(contentsOfFile: keyFile, encoding: .utf8))
        let token = try passport(for: agent)
        let message = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query"}}"#
        let result = await cli.run(["sign-request", "http://h/", "--key", keyFile, "--passport", token,
                                    "--format", "mcps", "--data", message])
        #expect(result.status == 0, "\(result)")
        let envelope = try JCSParser.parse(result.output)
        guard case .object(var members) = envelope, let mcps = members.removeValue(forKey: "mcps") else {
            Issue.record("no mcps member: \(result.output)")
            return
        }
        #expect(JCSValue.object(members) == (try JCSParser.parse(message)))
        let jti = try JCSParser.parse(try UnverifiedJWS(compact: token).unverifiedPayload)["jti"]?.stringValue
        #expect(mcps["passport_id"]?.stringValue == jti && mcps["version"] == "1.0")
        let payload = MCPSEnvelope.signaturePayload(
            messageHash: MCPSEnvelope.messageHash(.object(members)), nonce: mcps["nonce"]!.stringValue!,
            passportID: jti!, timestamp: mcps["timestamp"]!.stringValue!)
        #expect(MCPSSignature.isValid(mcps["signature"]!.stringValue!, of: payload, by: agent.publicKey))
    }
}

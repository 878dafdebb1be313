import Foundation
import HeraldCore
import HeraldJOSE
import Testing

/// mcps-secure 1.0 (the reference implementation, its own code) checks what Herald signs,
/// offline: passports with awkward strings and a nested scan, and revocation responses.
/// Runs when `python3` can import `mcp_secure` (`make test` installs it); skipped otherwise.
@Suite("mcps-secure checks Herald's MCPS objects")
struct MCPSReferenceInteropTests {
    static let python = "/usr/bin/env"

    static var available: Bool {
        (try? run(["python3", "-c", "import mcp_secure"]).status) == 0
    }

    static func run(_ arguments: [String], input: Data = Data()) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test("verify_passport_signature, validate_passport_format, get_effective_trust_level and the revocation signature",
          .enabled(if: MCPSReferenceInteropTests.available))
    func reference() throws {
        let authority = SigningKey.generate(.es256)
        let agent = SigningKey.generate(.es256)
        let issuer = "https://herald.example/realms/acme"
        let passport = MCPSPassport(
            agent: PassportAgent(name: "q\"uote\\back\u{1}\u{7F}é€😀", version: "1.0.0\n", capabilities: ["read", "wr\tite"]),
            publicKey: agent.publicKey, origin: "https://api.example.com:8443",
            scan: ["score": 90, "passed": true, "findings": [["id": "X-1", "severity": nil]], "tool": "sast/1.2"],
            trustLevel: .l3, issuedAt: Date(), expiresAt: Date().addingTimeInterval(3600), issuer: issuer)
        let signed = try passport.signed(with: authority)
        let revoked = try MCPSRevocationResponse(
            passportID: passport.passportID, status: .revoked, reason: "killed: \"incident\" 7", revokedAt: Date(),
            trustLevel: .l3, checkedAt: Date()).signedBody(with: authority)
        let valid = try MCPSRevocationResponse(passportID: passport.passportID, status: .valid, trustLevel: .l3,
                                               checkedAt: Date()).signedBody(with: authority)
        let input = JCS.canonicalize([
            "passport": try JCSParser.parse(signed.json), "pem": .string(authority.publicKey.pemRepresentation!),
            "revoked": try JCSParser.parse(revoked), "valid": try JCSParser.parse(valid), "issuer": .string(issuer),
        ])
        let script = """
            import json, sys
            import mcp_secure as m
            from mcp_secure.core import _verify_bytes
            d = json.load(sys.stdin)
            p, pem = d["passport"], d["pem"]
            def rev(body):
                rest = {k: v for k, v in body.items() if k != "signature"}
                return _verify_bytes(m.canonical_json(rest).encode(), body["signature"], pem)
            tampered = dict(p, trust_level=4)
            print(json.dumps([
                m.verify_passport_signature(p, pem), m.validate_passport_format(p)["valid"],
                m.get_effective_trust_level(p, [d["issuer"]]), m.get_effective_trust_level(p, ["other"]),
                m.is_passport_expired(p), m.verify_passport_signature(tampered, pem), rev(d["revoked"]), rev(d["valid"]),
            ]))
            """
        let result = try Self.run(["python3", "-c", script], input: Data(input))
        #expect(result.status == 0)
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines)
                == "[true, true, 3, 0, false, false, true, true]")
    }
}

import Foundation
import HeraldJOSE
import HeraldTesting
import Testing
@testable import herald

/// The lifecycle verbs against a live server built in-process: pipeline gates, the score
/// explained, the kill switch, passports.
@Suite("herald lifecycle verbs end to end")
struct LifecycleE2ETests {
    static let realm = """
        realm: lab
        token: {lifetime: 300s, algorithms: [ES256]}
        keys: {rotation_period: 30d, publish_ahead: 10m}
        clients:
          - {client_id: pay-bot, subject: agent-pay, auth: client_secret_basic, secret: "\(RealmFixtures.botSecret)"}
          - {client_id: ledger-bot, subject: agent-ledger, auth: client_secret_basic, secret: "\(RealmFixtures.botSecret)"}
          - {client_id: ops-bot, subject: agent-ops, auth: client_secret_basic, secret: "\(RealmFixtures.botSecret)"}
        directory:
          static:
            agents:
              - {id: agent-pay, name: Pay Bot, org: finance, roles: [mcps-l2]}
              - {id: agent-ledger, name: Ledger Bot, org: finance, roles: [mcps-l3]}
              - {id: agent-ops, name: Ops Bot, org: operations, roles: [mcps-l1]}
        """

    static let hashA = "sha256:" + String(repeating: "a1", count: 32)
    static let hashB = "sha256:" + String(repeating: "b2", count: 32)

    /// A live server over the lab realm, and a CLI logged in to it with HERALD_REALM=lab. The
    /// server's clock starts now, so that `passport verify` (real time) accepts its passports.
    private func withLoggedIn(_ body: @escaping @Sendable (CLIHarness, String) async throws -> Void) async throws {
        let server = try await TestServer.start(realms: ["lab.yaml": Self.realm], clock: ManualClock(Date()))
        defer { server.directory.remove() }
        try await AdminE2ETests.live(server) { url in
            let cli = try CLIHarness(environment: ["HERALD_SERVER": url, "HERALD_REALM": "lab"])
            defer { cli.directory.remove() }
            let login = await cli.run(["login", "--credentials", AdminE2ETests.credentials(server)])
            #expect(login.status == 0, "\(login)")
            try await body(cli, url)
        }
    }

    /// A token for `client` of realm lab, or the refusal.
    private func token(_ url: String, _ client: String) async throws -> String {
        try await AdminClient(server: url).token(realm: "lab", clientID: client, clientSecret: RealmFixtures.botSecret).token
    }

    private func json(_ result: CLIResult) throws -> JSONValue {
        try JSONValue(parsing: Data(result.output.utf8))
    }

    @Test("advance one gate at a time; a skip exits 2 naming the allowed stage; new code sends the agent back to VETTING")
    func pipeline() async throws {
        try await withLoggedIn { cli, _ in
            let advanced = await cli.run(["agent", "advance", "agent-pay", "--to", "vetting", "--approver", "alice"])
            #expect(advanced.status == 0, "\(advanced)")
            #expect(advanced.output.hasPrefix("passed gate INTAKE → VETTING by alice\nagent agent-pay is VETTING (next: TESTING)"))

            let skip = await cli.run(["agent", "advance", "agent-pay", "--to", "DEV_APPROVED", "--approver", "alice"])
            #expect(skip.status == 2, "\(skip)")
            #expect(skip.errors.contains("the only allowed next stage is TESTING"))
            #expect(skip.errors.contains("(409 stage_skip)"))
            #expect(!skip.errors.contains("\n"))

            let noCode = await cli.run(["agent", "advance", "agent-pay", "--to", "TESTING", "--approver", "alice"])
            #expect(noCode.status == 2 && noCode.errors.contains("(409 code_hash_missing)"), "\(noCode)")

            #expect(await cli.run(["agent", "register-code", "agent-pay", "--code-hash", "sha256:ABC"]).status == 1)
            let code = await cli.run(["agent", "register-code", "agent-pay", "--code-hash", Self.hashA])
            #expect(code.status == 0, "\(code)")
            #expect(code.output.hasPrefix("registered code hash \(Self.hashA) for agent agent-pay\nagent agent-pay is VETTING"))
            for stage in ["TESTING", "DEV_APPROVED"] {
                let step = await cli.run(["agent", "advance", "agent-pay", "--to", stage, "--approver", "bob"])
                #expect(step.status == 0, "\(step)")
            }

            let demoted = await cli.run(["agent", "register-code", "agent-pay", "--code-hash", Self.hashB, "--output", "json"])
            #expect(demoted.status == 0, "\(demoted)")
            #expect(try json(demoted)["pipeline_stage"] == "VETTING")

            let history = await cli.run(["agent", "history", "agent-pay", "--output", "json"])
            #expect(history.status == 0, "\(history)")
            let gates = try json(history).array ?? []
            #expect(gates.map { "\($0["from"]?.cell ?? "")>\($0["to"]?.cell ?? "")" }
                == ["INTAKE>VETTING", "VETTING>TESTING", "TESTING>DEV_APPROVED", "DEV_APPROVED>VETTING"])
            #expect(gates.last?["reason"] == "new code hash" && gates.last?["code_hash"]?.string == Self.hashB)
            #expect(gates.allSatisfy { !($0["signature"]?.string ?? "").isEmpty })
            let table = await cli.run(["agent", "history", "agent-pay"])
            #expect(table.output.hasPrefix("AT "), "\(table)")
            #expect(table.output.contains("DEV_APPROVED → VETTING"))
            #expect(table.output.contains("sha256:b2b2b2b2b2b2…"))
            #expect(table.output.contains("new code hash"))
            #expect(table.output.hasSuffix("stage now: VETTING"))

            let suspended = await cli.run(["agent", "suspend", "agent-pay", "--reason", "audit finding"])
            #expect(suspended.status == 0 && suspended.output.contains("agent agent-pay is SUSPENDED"), "\(suspended)")
            let unsure = await cli.run(["agent", "revoke", "agent-pay", "--reason", "retired"])
            #expect(unsure.status == 1, "\(unsure)")
            #expect(unsure.errors.contains("is final") && unsure.errors.contains("--yes"))
            let revoked = await cli.run(["agent", "revoke", "agent-pay", "--reason", "retired", "--yes"])
            #expect(revoked.status == 0 && revoked.output.contains("agent agent-pay is REVOKED (no further stage)"), "\(revoked)")
            let after = await cli.run(["agent", "advance", "agent-pay", "--to", "VETTING", "--approver", "alice"])
            #expect(after.status == 2, "\(after)")

            let unknown = await cli.run(["agent", "history", "agent-nobody"])
            #expect(unknown.status == 2 && unknown.errors.contains("(404 "), "\(unknown)")
        }
    }

    @Test("explain: the components' points add up to the trust score; the table shows the total and the level")
    func explain() async throws {
        try await withLoggedIn { cli, _ in
            #expect(await cli.run(["agent", "register-code", "agent-ledger", "--code-hash", Self.hashA]).status == 0)
            #expect(await cli.run(["agent", "advance", "agent-ledger", "--to", "VETTING", "--approver", "alice"]).status == 0)
            let result = await cli.run(["agent", "explain", "agent-ledger", "--output", "json"])
            #expect(result.status == 0, "\(result)")
            let value = try json(result)
            let components = value["score_components"]?.array ?? []
            #expect(components.count == 5)
            let score = try #require(value["trust_score"]?.int)
            #expect(score > 0)
            #expect(components.reduce(0) { $0 + ($1["points"]?.int ?? 0) } == score)
            #expect(components.reduce(0) { $0 + ($1["weight"]?.int ?? 0) } == 100)
            #expect(value["directory_level"] == "L3" && value["trust_level"] == "L3")

            let table = await cli.run(["agent", "explain", "agent-ledger"])
            #expect(table.status == 0, "\(table)")
            #expect(table.output.contains("= trust score \(score)"))
            #expect(table.output.contains("code_attestation"))
            #expect(table.output.contains("level: directory L3 → effective L3 (trust_policy pipeline: off, earned_levels: off)"))
        }
    }

    @Test("kill agent: the very next token request is refused; revive: tokens again; kill org stops its agents only")
    func killSwitch() async throws {
        try await withLoggedIn { cli, url in
            _ = try await token(url, "pay-bot")
            let killed = await cli.run(["kill", "agent", "agent-pay", "--reason", "leaked key"])
            #expect(killed.status == 0, "\(killed)")
            #expect(killed.output.hasPrefix("agent agent-pay is killed (leaked key)"))
            await #expect(throws: CLIError.self) { try await token(url, "pay-bot") }
            _ = try await token(url, "ledger-bot")
            let revived = await cli.run(["revive", "agent", "agent-pay"])
            #expect(revived.status == 0 && revived.output.hasPrefix("agent agent-pay is not killed"), "\(revived)")
            _ = try await token(url, "pay-bot")

            let org = await cli.run(["kill", "org", "finance", "--reason", "incident 42"])
            #expect(org.status == 0, "\(org)")
            #expect(org.output.hasPrefix("organisation finance is killed (incident 42)"), "\(org)")
            await #expect(throws: CLIError.self) { try await token(url, "pay-bot") }
            await #expect(throws: CLIError.self) { try await token(url, "ledger-bot") }
            _ = try await token(url, "ops-bot")
            let explained = await cli.run(["agent", "explain", "agent-ledger"])
            #expect(explained.output.contains("refused: organisation finance is stopped by the kill switch: incident 42"))
            let back = await cli.run(["revive", "org", "finance", "--output", "json"])
            #expect(back.status == 0, "\(back)")
            #expect(try json(back)["killed"] == .bool(false))
            _ = try await token(url, "pay-bot")
            _ = try await token(url, "ledger-bot")

            #expect(await cli.run(["kill", "agent", "agent-pay"]).status == 1)
            #expect(await cli.run(["kill", "agent", "agent-nobody", "--reason", "x"]).status == 2)
        }
    }

    @Test("passport issue: MCPS written 0644 verifies offline with the realm JWKS; JWT printed verifies too; a killed agent gets none")
    func passports() async throws {
        try await withLoggedIn { cli, url in
            let agentKey = SigningKey.generate(.es256)
            let jwk = try cli.directory.write("agent.jwk", agentKey.publicKey.json(includeMetadata: false))
            let pem = try cli.directory.write("agent.pem", agentKey.publicKey.pemRepresentation!)
            let jwks = try cli.directory.write("realm-jwks.json", try await AdminClient(server: url)
                .send(.GET, "/realms/lab/.well-known/agent-trust-keys").text)
            let issuer = "https://herald.test/realms/lab"

            let file = cli.directory.file("passport.json")
            let issued = await cli.run(["passport", "issue", "agent-ops", "--format", "mcps", "--public-key", jwk, "--out", file])
            #expect(issued.status == 0, "\(issued)")
            #expect(issued.output.hasPrefix("wrote mcps passport asp_"))
            #expect(SessionStore.mode(of: file) == 0o644)
            let verified = await cli.run(["passport", "verify", file, "--jwks", jwks, "--issuer", issuer, "--output", "json"])
            #expect(verified.status == 0, "\(verified)")
            let summary = try json(verified)
            #expect(summary["format"] == "mcps" && summary["trust_level"]?.int == 1)
            let passport = try JSONValue(parsing: Data(contentsOf: URL(fileURLWithPath: file)))
            #expect(passport["public_key"]?["x"] == (try JSONValue(parsing: Data(contentsOf: URL(fileURLWithPath: jwk))))["x"])

            let printed = await cli.run(["passport", "issue", "agent-ops", "--public-key", pem])
            #expect(printed.status == 0, "\(printed)")
            #expect(printed.output.split(separator: ".").count == 3 && !printed.output.contains("\n"))
            let token = try cli.directory.write("passport.jwt", printed.output)
            let jwt = await cli.run(["passport", "verify", token, "--jwks", jwks, "--issuer", issuer, "--output", "json"])
            #expect(jwt.status == 0, "\(jwt)")
            #expect(try json(jwt)["subject"] == "agent-ops")

            let privateKey = try cli.directory.write("agent-private.jwk", #"{"kty":"EC","crv":"P-256","d":"x"}"#)
            #expect(await cli.run(["passport", "issue", "agent-ops", "--public-key", privateKey]).status == 1)
            let noKey = await cli.run(["passport", "issue", "agent-ops"])
            #expect(noKey.status == 2 && noKey.errors.contains("--public-key"), "\(noKey)")

            #expect(await cli.run(["kill", "agent", "agent-ops", "--reason", "compromised"]).status == 0)
            let refused = await cli.run(["passport", "issue", "agent-ops", "--format", "mcps", "--public-key", jwk])
            #expect(refused.status == 2, "\(refused)")
            #expect(refused.errors.contains("kill switch") && !refused.errors.contains("compromised") && refused.errors.contains("(403 "))
        }
    }

    @Test("usage errors exit 1 before any request: stages, code hashes, reasons, key files")
    func usage() async throws {
        let cli = try CLIHarness()
        defer { cli.directory.remove() }
        for line in ["agent advance a --to REVOKED --approver x", "agent advance a --to NOWHERE --approver x",
                     "agent advance a --to VETTING", "agent register-code a --code-hash sha256:" + String(repeating: "A", count: 64),
                     "agent suspend a", "kill org finance", "kill agent a/b --reason x", "passport issue a --format pdf",
                     "passport issue a --public-key " + cli.directory.file("missing.jwk")] {
            let result = await cli.run(line)
            #expect(result.status == 1, "\(line): \(result)")
            #expect(result.errors.hasPrefix("herald: ") && !result.errors.contains("\n"), "\(line): \(result)")
        }
        let revoke = await cli.run("agent revoke a --reason x")
        #expect(revoke.errors.contains("is final"))
    }
}

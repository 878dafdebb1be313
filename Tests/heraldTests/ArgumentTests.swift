import ArgumentParser
import Foundation
import HeraldAPI
import Testing
@testable import herald

@Suite("CLI arguments")
struct ArgumentTests {
    private func usageError(_ arguments: String) async throws -> String {
        let cli = try CLIHarness()
        defer { cli.directory.remove() }
        let result = await cli.run(arguments)
        #expect(result.status == 1, "\(arguments): \(result)")
        #expect(result.output.isEmpty)
        #expect(!result.errors.contains("\n"), "one line: \(result.errors)")
        return result.errors
    }

    @Test("invalid arguments are refused before any request, in one line, with exit status 1", arguments: [
        ("mapping set --group g", "Missing expected argument '--role <role>'"),
        ("mapping set --group g --role mcps-l9", "'mcps-l9' looks like a level role"),
        ("mapping set --group g --role two\twords", "without spaces"),
        ("level set L5 --tx-limit 1", "level must be L0, L1, L2, L3 or L4, not L5"),
        ("level set L2", "nothing to change"),
        ("level set L2 --tx-limit=-5", "--tx-limit must be 0 or more"),
        ("level set L2 --payment-enabled maybe", "payment-enabled"),
        ("level set L2 --earned-at-score 101", "between 0 and 100"),
        ("client create bot --subject agent --auth password", "--auth must be one of"),
        ("client create bot --subject agent --auth private_key_jwt", "need --jwks FILE"),
        ("client create bot --subject agent --jwks k.json", "--jwks is only for --auth private_key_jwt"),
        ("agent create a --roles mcps-l7", "only mcps-l0…mcps-l4 exist"),
        ("agent show", "Missing expected argument '<id>'"),
        ("key prepare --algorithm RS256", "--algorithm must be ES256 or EdDSA"),
        ("key activate a/b", "is not a key id"),
        ("audit query --from yesterday", "--from must be an RFC 3339 time"),
        ("audit query --limit 1001", "--limit must be between 1 and 1000"),
        ("audit tail -n 0", "-n must be between 1 and 10000"),
        ("audit verify --data /nonexistent", "--jwks is required"),
        ("mapping list --realm Acme", "realm names are 1–63 of a-z, 0-9 and -"),
        ("mapping list --server ftp://x", "--server must be an http(s) URL"),
        ("mapping list --output yaml", "output"),
        ("login --credentials c.json --client-id x --client-secret-file f", "not both"),
        ("login --client-id x", "--client-id and --client-secret-file go together"),
        ("completion tcsh", "shell must be one of"),
        ("realm export --format xml", "format"),
    ])
    func refused(arguments: String, message: String) async throws {
        let errors = try await usageError(arguments)
        #expect(errors.contains(message), "\(arguments): \(errors)")
        #expect(errors.hasPrefix("herald: "))
    }

    @Test("usage errors name the help to read")
    func helpHint() async throws {
        let errors = try await usageError("mapping set --group g")
        #expect(errors.hasSuffix("(see `herald mapping set --help`)"))
    }

    @Test("level set sends only the cells given")
    func levelBody() throws {
        let command = try LevelSetCommand.parse(["l2", "--tx-limit", "200", "--payment-enabled", "false", "--scopes",
                                                 "a, b,", "--realm", "acme"])
        #expect(try JSONValue(encoding: command.body)
                == ["L2": ["tx_limit": .int(200), "payment_enabled": .bool(false), "scopes": ["a", "b"]]])
        let clear = try LevelSetCommand.parse(["L0", "--scopes", ""])
        #expect(try JSONValue(encoding: clear.body) == ["L0": ["scopes": []]])
    }

    @Test("agent create sends the agent object")
    func agentBody() throws {
        let command = try AgentCreateCommand.parse(["agent-x", "--name", "X Bot", "--org", "finance", "--roles",
                                                    "mcps-l2", "--groups", "payment-bots,vault"])
        #expect(try JSONValue(encoding: command.body) == ["id": "agent-x", "name": "X Bot", "org": "finance", "roles": ["mcps-l2"],
                                 "groups": ["payment-bots", "vault"]])
    }

    @Test("client create sends scopes, audience and the JWKS as JSON")
    func clientBody() throws {
        let plain = try ClientCreateCommand.parse(["bot", "--subject", "agent-x", "--scopes", "a,b",
                                                   "--audience", "https://api.test"])
        #expect(try JSONValue(encoding: plain.body()) == ["client_id": "bot", "subject": "agent-x", "auth": "client_secret_basic",
                                     "scopes": ["a", "b"], "audience": ["https://api.test"]])
        let missing = try ClientCreateCommand.parse(["bot", "--subject", "agent-x", "--auth", "private_key_jwt",
                                                     "--jwks", "/nonexistent/jwks.json"])
        #expect(throws: CLIError.usage("cannot read /nonexistent/jwks.json")) { try missing.body() }
    }

    @Test("the realm comes from --realm, else HERALD_REALM, else acme; the server from --server, else HERALD_SERVER")
    func defaults() throws {
        let plain = try AdminOptions.parse([])
        #expect(Console.$environment.withValue([:]) { plain.realmName } == "acme")
        #expect(Console.$environment.withValue(["HERALD_REALM": "globex"]) { plain.realmName } == "globex")
        #expect(Console.$environment.withValue(["HERALD_SERVER": "http://h:1"]) { plain.serverURL } == "http://h:1")
        let explicit = try AdminOptions.parse(["--realm", "acme", "--server", "http://x:2"])
        #expect(Console.$environment.withValue(["HERALD_REALM": "globex", "HERALD_SERVER": "http://h:1"]) {
            [explicit.realmName, explicit.serverURL ?? ""]
        } == ["acme", "http://x:2"])
        #expect(explicit.path("clients", "a b/c") == "/admin/realms/acme/clients/a%20b%2Fc")
    }

    @Test("`herald completion SHELL` prints what --generate-completion-script prints")
    func completion() async throws {
        let cli = try CLIHarness()
        defer { cli.directory.remove() }
        for shell in ["bash", "zsh", "fish"] {
            let result = await cli.run(["completion", shell])
            #expect(result.status == 0)
            #expect(result.output == HeraldCommand.completionScript(for: CompletionShell(rawValue: shell)!))
            #expect(result.output.contains("mapping"))
        }
        let help = await cli.run(["--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("herald completion bash|zsh|fish"))
    }

    @Test("an unreachable server is exit status 3, in one line")
    func unreachable() async throws {
        let cli = try CLIHarness()
        defer { cli.directory.remove() }
        let secret = try cli.directory.write("secret", "not-a-real-secret-0123456789")
        let result = await cli.run(["login", "--server", "http://127.0.0.1:1", "--client-id", "admin",
                                    "--client-secret-file", secret])
        #expect(result.status == 3, "\(result)")
        #expect(result.errors.hasPrefix("herald: cannot reach the server at http://127.0.0.1:1"))
        #expect(!result.errors.contains("\n"))
        #expect(!result.errors.contains("not-a-real-secret"))
    }

    @Test("login without a credentials file says where to find one")
    func noCredentials() async throws {
        let cli = try CLIHarness()
        defer { cli.directory.remove() }
        let result = await cli.run(["login", "--credentials", cli.directory.file("missing")])
        #expect(result.status == 1)
        #expect(result.errors.contains("pass --credentials with the admin-credentials file"))
    }
}

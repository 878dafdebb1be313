import Foundation
import HeraldJOSE
import HeraldTesting
import HummingbirdTesting
import Testing
@testable import herald

/// The CLI against a live server built in-process: every verb through the admin API.
@Suite("herald CLI end to end")
struct AdminE2ETests {
    static let shopRealm = """
        realm: shop
        token: {lifetime: 300s, algorithms: [ES256]}
        keys: {rotation_period: 30d, publish_ahead: 10m}
        levels:
          L3: {tx_limit: 2500}
        role_mappings:
          - {group: payment-bots, role: mcps-l2}
        clients:
          - {client_id: pay-bot, subject: agent-pay, auth: client_secret_basic, secret: "\(RealmFixtures.botSecret)"}
        directory:
          static:
            agents:
              - {id: agent-pay, name: Pay Bot, org: finance, groups: [payment-bots]}
              - {id: agent-spare, roles: [mcps-l1]}
        """

    /// A live server over `realms`, and a CLI logged in to it.
    private func withLoggedIn(realms: [String: String] = ["shop.yaml": shopRealm],
                              _ body: @escaping @Sendable (CLIHarness, TestServer, String) async throws -> Void)
        async throws
    {
        let server = try await TestServer.start(realms: realms)
        defer { server.directory.remove() }
        try await Self.live(server) { url in
            let cli = try CLIHarness(environment: ["HERALD_SERVER": url])
            defer { cli.directory.remove() }
            let login = await cli.run(["login", "--credentials", Self.credentials(server)])
            #expect(login.status == 0, "\(login)")
            try await body(cli, server, url)
        }
    }

    /// Runs `server` on a real port (HummingbirdTesting's live framework) for `body`.
    static func live(_ server: TestServer, _ body: @escaping @Sendable (String) async throws -> Void) async throws {
        try await server.herald.application.test(.live) { client in
            try await body("http://127.0.0.1:\(try #require(client.port))")
        }
    }

    static func credentials(_ server: TestServer) -> String {
        (server.configuration.dataDirectory as NSString).appendingPathComponent("admin-credentials")
    }

    /// The `mcps.trust_level` of a fresh token for `client`.
    private func level(_ url: String, realm: String = "shop", client: String = "pay-bot",
                       secret: String = RealmFixtures.botSecret) async throws -> Int? {
        let token = try await AdminClient(server: url).token(realm: realm, clientID: client, clientSecret: secret).token
        return (JWTParts.claims(token)["mcps"] as? [String: Any])?["trust_level"] as? Int
    }

    private func json(_ result: CLIResult) throws -> JSONValue {
        try JSONValue(parsing: Data(result.output.utf8))
    }

    @Test("login caches a private session and prints no secret")
    func login() async throws {
        let server = try await TestServer.start(realms: ["shop.yaml": Self.shopRealm])
        defer { server.directory.remove() }
        try await Self.live(server) { url in
            let cli = try CLIHarness()
            defer { cli.directory.remove() }
            let credentials = Self.credentials(server)
            let secret = try JSONValue(parsing: Data(contentsOf: URL(fileURLWithPath: credentials)))["client_secret"]?.string
            let result = await cli.run(["login", "--server", url, "--credentials", credentials])
            #expect(result.status == 0, "\(result)")
            #expect(result.output.hasPrefix("logged in to \(url) as "))
            let session = try #require(try cli.sessionStore.load())
            #expect(session.server == url)
            #expect(session.clientSecret == secret)
            #expect(SessionStore.mode(of: cli.sessionStore.path) == 0o600)
            #expect(!result.output.contains(secret ?? "-") && !result.output.contains(session.accessToken))

            let wrong = try cli.directory.write("wrong", "definitely-not-the-admin-secret")
            let refused = await cli.run(["login", "--server", url, "--client-id", session.clientID,
                                         "--client-secret-file", wrong])
            #expect(refused.status == 2, "\(refused)")
            #expect(refused.errors.hasPrefix("herald: login refused (401 invalid_client)"))
            #expect(!refused.errors.contains("\n"))
        }
    }

    @Test("mapping set moves an agent from L2 to L4 and the very next token shows L4")
    func mappingMovesLevel() async throws {
        try await withLoggedIn { cli, _, url in
            #expect(try await level(url) == 2)
            let list = await cli.run(["mapping", "list", "--realm", "shop"])
            #expect(list.status == 0, "\(list)")
            #expect(list.output.contains("payment-bots  mcps-l2"))

            let set = await cli.run(["mapping", "set", "--realm", "shop", "--group", "payment-bots", "--role", "mcps-l4"])
            #expect(set.status == 0, "\(set)")
            #expect(set.output.contains("mapped group payment-bots to role mcps-l4"))
            #expect(set.output.contains("removed"))
            #expect(try await level(url) == 4)

            let mappings = try json(await cli.run(["mapping", "list", "--realm", "shop", "--output", "json"]))
            let rows = mappings["role_mappings"]?.array ?? []
            #expect(rows.count == 1)
            #expect(rows.first?["role"] == "mcps-l4")

            let again = await cli.run(["mapping", "set", "--realm", "shop", "--group", "payment-bots", "--role", "mcps-l4"])
            #expect(again.output.contains("nothing to change"))

            let id = try #require(rows.first?["id"]?.string)
            let removed = await cli.run(["mapping", "rm", "--realm", "shop", id])
            #expect(removed.status == 0, "\(removed)")
            #expect(try await level(url) == 0)
            let missing = await cli.run(["mapping", "rm", "--realm", "shop", id])
            #expect(missing.status == 2)
            #expect(missing.errors.contains("(404 "))
            #expect(missing.errors.contains("`herald mapping list` shows the ids"))
        }
    }

    @Test("export, import into a fresh server, export again: identical")
    func exportImportRoundTrip() async throws {
        try await withLoggedIn { cli, _, _ in
            let file = cli.directory.file("shop-export.yaml")
            let export = await cli.run(["realm", "export", "--realm", "shop", "-o", file])
            #expect(export.status == 0, "\(export)")
            #expect(SessionStore.mode(of: file) == 0o600)
            let first = try String(contentsOfFile: file, encoding: .utf8)
            let firstJSON = await cli.run(["realm", "export", "--realm", "shop", "--format", "json"])
            #expect(firstJSON.status == 0)

            // A fresh server that has never seen realm shop.
            let fresh = try await TestServer.start()
            defer { fresh.directory.remove() }
            try await Self.live(fresh) { url in
                let other = try CLIHarness(environment: ["HERALD_SERVER": url])
                defer { other.directory.remove() }
                #expect(await other.run(["login", "--credentials", Self.credentials(fresh)]).status == 0)
                let imported = await other.run(["realm", "import", file])
                #expect(imported.status == 0, "\(imported)")
                #expect(imported.output == "created realm shop from \(file)")
                let second = await other.run(["realm", "export", "--realm", "shop"])
                #expect(second.output + "\n" == first)
                let secondJSON = await other.run(["realm", "export", "--realm", "shop", "--format", "json"])
                #expect(secondJSON.output == firstJSON.output)
                let diff = await other.run(["realm", "diff", file])
                #expect(diff.output == "no changes: realm shop on the server matches \(file)", "\(diff)")
            }
        }
    }

    @Test("realm diff shows what import --override would change; import needs --override for an existing realm")
    func diffAndImport() async throws {
        try await withLoggedIn { cli, _, url in
            let file = try cli.directory.write("shop.yaml", Self.shopRealm)
            let same = await cli.run(["realm", "diff", file])
            #expect(same.status == 0, "\(same)")
            #expect(same.output.hasPrefix("no changes"))

            #expect(await cli.run(["mapping", "set", "--realm", "shop", "--group", "payment-bots", "--role", "mcps-l4"])
                .status == 0)
            let diff = await cli.run(["realm", "diff", file])
            #expect(diff.status == 0)
            #expect(diff.output.hasPrefix("--- server realm shop\n+++ \(file)\n@@ "), "\(diff.output)")
            #expect(diff.output.contains("-      \"role\": \"mcps-l4\""))
            #expect(diff.output.contains("+      \"role\": \"mcps-l2\""))
            #expect(await cli.run(["realm", "diff", file, "--exit-code"]).status == 1)

            let refused = await cli.run(["realm", "import", file])
            #expect(refused.status == 1)
            #expect(refused.errors.contains("realm shop already exists on the server"))
            #expect(try await level(url) == 4)

            let replaced = await cli.run(["realm", "import", file, "--override"])
            #expect(replaced.status == 0, "\(replaced)")
            #expect(replaced.output == "replaced realm shop from \(file)")
            #expect(try await level(url) == 2)
            #expect(await cli.run(["realm", "diff", file]).output.hasPrefix("no changes"))

            let realms = await cli.run(["realm", "list"])
            #expect(realms.output.contains("shop"))
            #expect(realms.output.contains("master"))
        }
    }

    @Test("realm import sends secrets read from secret_file inline: the server cannot read this machine's files")
    func importWithSecretFile() async throws {
        try await withLoggedIn { cli, _, url in
            try cli.directory.write("realms/secrets/vendor-bot", "vendor-secret-0123456789abcdef\n")
            let file = try cli.directory.write("realms/vendor.yaml", """
                realm: vendor
                clients:
                  - {client_id: vendor-bot, subject: agent-vendor, auth: client_secret_basic, secret_file: secrets/vendor-bot}
                directory:
                  static:
                    agents:
                      - {id: agent-vendor, roles: [mcps-l3]}
                """)
            let imported = await cli.run(["realm", "import", file])
            #expect(imported.status == 0, "\(imported)")
            #expect(imported.errors.contains("the secrets of vendor-bot were read on this machine and are sent inline"))
            #expect(!imported.errors.contains("vendor-secret"))
            #expect(try await level(url, realm: "vendor", client: "vendor-bot",
                                    secret: "vendor-secret-0123456789abcdef") == 3)
            #expect(await cli.run(["realm", "diff", file]).output.hasPrefix("no changes"))
        }
    }

    @Test("level set changes one cell and the next token carries it")
    func levels() async throws {
        try await withLoggedIn { cli, _, url in
            let table = await cli.run(["level", "list", "--realm", "shop"])
            #expect(table.status == 0, "\(table)")
            #expect(table.output.contains("L3     Elevated"))
            #expect(table.output.contains("2500"))
            let set = await cli.run(["level", "set", "L2", "--realm", "shop", "--tx-limit", "200", "--label", "Standard Plus"])
            #expect(set.status == 0, "\(set)")
            #expect(set.output.contains("L2     Standard Plus  true     200"))
            let levels = try json(await cli.run(["level", "list", "--realm", "shop", "--output", "json"]))
            #expect(levels["L2"]?["tx_limit"] == .int(200))
            #expect(levels["L2"]?["day_limit"] == .int(500))
            let token = try await AdminClient(server: url).token(realm: "shop", clientID: "pay-bot",
                                                                 clientSecret: RealmFixtures.botSecret).token
            #expect((JWTParts.claims(token)["mcps"] as? [String: Any])?["tx_limit"] as? Int == 200)
        }
    }

    @Test("client create prints the secret once; rotate-secret replaces it; rm removes the client")
    func clients() async throws {
        try await withLoggedIn { cli, _, url in
            let created = await cli.run(["client", "create", "spare-bot", "--realm", "shop", "--subject", "agent-spare"])
            #expect(created.status == 0, "\(created)")
            let secret = try #require(created.output.split(separator: "\n")
                .first { $0.hasPrefix("client_secret: ") }.map { String($0.dropFirst("client_secret: ".count)) })
            #expect(try await level(url, client: "spare-bot", secret: secret) == 1)

            let list = await cli.run(["client", "list", "--realm", "shop"])
            #expect(list.output.contains("spare-bot  agent-spare  client_secret_basic"))
            #expect(!list.output.contains(secret))

            let rotated = await cli.run(["client", "rotate-secret", "spare-bot", "--realm", "shop", "--output", "json"])
            #expect(rotated.status == 0, "\(rotated)")
            let newSecret = try #require(try json(rotated)["client_secret"]?.string)
            #expect(newSecret != secret)
            await #expect(throws: CLIError.self) { try await level(url, client: "spare-bot", secret: secret) }
            #expect(try await level(url, client: "spare-bot", secret: newSecret) == 1)

            let duplicate = await cli.run(["client", "create", "spare-bot", "--realm", "shop", "--subject", "agent-spare"])
            #expect(duplicate.status == 2)
            #expect(duplicate.errors.contains("(409 "))

            let key = SigningKey.generate(.es256).publicKey.json(includeMetadata: true)
            let jwks = try cli.directory.write("ledger-jwks.json", #"{"keys":[\#(key)]}"#)
            let keyed = await cli.run(["client", "create", "ledger-bot", "--realm", "shop", "--subject", "agent-spare",
                                       "--auth", "private_key_jwt", "--jwks", jwks, "--audience", "https://ledger.test"])
            #expect(keyed.status == 0, "\(keyed)")
            #expect(keyed.output == "created client ledger-bot (private_key_jwt, acts as agent-spare)")
            let row = (await cli.run(["client", "list", "--realm", "shop"])).output.split(separator: "\n")
                .first { $0.hasPrefix("ledger-bot ") }?.split(separator: " ")
            #expect(row == ["ledger-bot", "agent-spare", "private_key_jwt", "https://ledger.test", "yes"])

            #expect(await cli.run(["client", "rm", "spare-bot", "--realm", "shop"]).status == 0)
            #expect(!(await cli.run(["client", "list", "--realm", "shop"])).output.contains("spare-bot"))
        }
    }

    @Test("agent create, show, list and rm; an agent a client acts as cannot be removed")
    func agents() async throws {
        try await withLoggedIn { cli, _, _ in
            let created = await cli.run(["agent", "create", "agent-new", "--realm", "shop", "--name", "New Bot",
                                         "--org", "ops", "--groups", "payment-bots"])
            #expect(created.status == 0, "\(created)")
            let shown = await cli.run(["agent", "show", "agent-new", "--realm", "shop"])
            #expect(shown.status == 0, "\(shown)")
            #expect(shown.output == """
                id               agent-new
                name             New Bot
                org              ops
                roles
                groups           payment-bots
                effective_roles  mcps-l2
                trust_level      L2
                """)
            let list = await cli.run(["agent", "list", "--realm", "shop"])
            #expect(list.output.contains("agent-new"))
            #expect(await cli.run(["agent", "rm", "agent-new", "--realm", "shop"]).status == 0)
            let gone = await cli.run(["agent", "show", "agent-new", "--realm", "shop"])
            #expect(gone.status == 2)
            #expect(gone.errors.contains("`herald agent list` shows them"))

            let used = await cli.run(["agent", "rm", "agent-pay", "--realm", "shop"])
            #expect(used.status == 2, "\(used)")
            #expect(used.errors.contains("(409 "))
            #expect(used.errors.contains("`herald client rm` it"))
        }
    }

    @Test("key prepare, activate, retire, revoke, list through the admin API")
    func keys() async throws {
        try await withLoggedIn { cli, _, _ in
            let before = try json(await cli.run(["key", "list", "--realm", "shop", "--output", "json"]))
            let active = try #require(before["keys"]?.array?.first { $0["state"] == "active" }?["kid"]?.string)
            let prepared = await cli.run(["key", "prepare", "--realm", "shop", "--output", "json"])
            #expect(prepared.status == 0, "\(prepared)")
            let kid = try #require(try json(prepared)["kid"]?.string)
            #expect(try json(prepared)["state"] == "prepared")

            let activated = await cli.run(["key", "activate", "--realm", "shop", "--", kid])
            #expect(activated.status == 0, "\(activated)")
            #expect(activated.output == "key \(kid) (ES256) is active")
            let after = try json(await cli.run(["key", "list", "--realm", "shop", "--output", "json"]))
            let states = Dictionary(uniqueKeysWithValues: (after["keys"]?.array ?? []).compactMap { key in
                key["kid"]?.string.map { ($0, key["state"]?.string ?? "") }
            })
            #expect(states == [active: "retired", kid: "active"])
            let table = await cli.run(["key", "list", "--realm", "shop"])
            #expect(table.output.split(separator: "\n").count == 3)

            let notActive = await cli.run(["key", "retire", "--realm", "shop", "--", active])
            #expect(notActive.status == 2, "\(notActive)")
            #expect(notActive.errors.contains("is retired; it must be active (409 conflict)"))
            let revoked = await cli.run(["key", "revoke", "--realm", "shop", "--output", "json", "--", active])
            #expect(revoked.status == 0, "\(revoked)")
            #expect(try json(revoked)["state"] == "revoked")
            let retired = await cli.run(["key", "retire", "--realm", "shop", "--", kid])
            #expect(retired.status == 0, "\(retired)")
            #expect(retired.output.hasPrefix("key \(kid) (ES256) is retired; published until "))
            let unknown = await cli.run(["key", "activate", "no-such-kid", "--realm", "shop"])
            #expect(unknown.status == 2)
            #expect(unknown.errors.contains("(404 "))
        }
    }

    @Test("audit tail and query show token and admin events; audit verify passes on the live data")
    func audit() async throws {
        try await withLoggedIn { cli, server, url in
            for _ in 0..<3 { _ = try await level(url) }
            _ = try? await level(url, secret: "wrong-secret-0123456789abcdef")
            #expect(await cli.run(["level", "set", "L1", "--realm", "shop", "--day-limit", "60"]).status == 0)

            let tail = await cli.run(["audit", "tail", "--realm", "shop", "-n", "3", "--output", "json"])
            #expect(tail.status == 0, "\(tail)")
            let entries = try json(tail)["entries"]?.array ?? []
            #expect(entries.count == 3)
            let sequence = entries.compactMap { $0["seq"]?.int }
            #expect(sequence == sequence.sorted())

            let issued = await cli.run(["audit", "query", "--realm", "shop", "--type", "token.issued", "--output", "json"])
            #expect(issued.status == 0, "\(issued)")
            let issuedEntries = try json(issued)["entries"]?.array ?? []
            #expect(issuedEntries.count >= 3)
            #expect(issuedEntries.allSatisfy { $0["type"] == "token.issued" })

            let page = await cli.run(["audit", "query", "--realm", "shop", "--limit", "1"])
            #expect(page.output.contains("(more entries: add --after 1)"))
            let table = await cli.run(["audit", "query", "--realm", "shop", "--client", "pay-bot"])
            #expect(table.output.hasPrefix("SEQ  TIME"))

            let verify = await cli.run(["audit", "verify", "--data", server.configuration.dataDirectory, "--realm", "shop",
                                        "--jwks", "\(url)/realms/shop/protocol/openid-connect/certs"])
            #expect(verify.status == 0, "\(verify)")
            #expect(verify.output.hasPrefix("audit chain of realm shop: "))
        }
    }

    @Test("an expired token, or one the server refuses, is renewed once with the cached credentials")
    func renewal() async throws {
        try await withLoggedIn { cli, _, _ in
            var session = try #require(try cli.sessionStore.load())
            session.expiresAt = Date().addingTimeInterval(-60)
            try cli.sessionStore.save(session)
            let expired = await cli.run(["mapping", "list", "--realm", "shop"])
            #expect(expired.status == 0, "\(expired)")
            let renewed = try #require(try cli.sessionStore.load())
            #expect(renewed.expiresAt > Date().addingTimeInterval(30))
            #expect(SessionStore.mode(of: cli.sessionStore.path) == 0o600)

            var forged = renewed
            forged.accessToken = "not-a-token"
            try cli.sessionStore.save(forged)
            let refused = await cli.run(["mapping", "list", "--realm", "shop"])
            #expect(refused.status == 0, "\(refused)")
            #expect(try cli.sessionStore.load()?.accessToken != "not-a-token")

            var badSecret = try #require(try cli.sessionStore.load())
            badSecret.accessToken = "not-a-token"
            badSecret.clientSecret = "wrong-secret-0123456789abcdef"
            try cli.sessionStore.save(badSecret)
            let stuck = await cli.run(["mapping", "list", "--realm", "shop"])
            #expect(stuck.status == 2, "\(stuck)")
            #expect(stuck.errors.contains("run `herald login --server"))
        }
    }

    @Test("server refusals are one line with exit status 2: unknown realm, invalid payload")
    func refusals() async throws {
        try await withLoggedIn { cli, _, _ in
            let unknown = await cli.run(["mapping", "list", "--realm", "nope"])
            #expect(unknown.status == 2, "\(unknown)")
            #expect(unknown.errors.hasPrefix("herald: "))
            #expect(unknown.errors.contains("(404 "))
            #expect(!unknown.errors.contains("\n"))

            let badClient = await cli.run(["client", "create", "ghost-bot", "--realm", "shop", "--subject", "no-such-agent"])
            #expect(badClient.status == 2, "\(badClient)")
            #expect(badClient.errors.contains("(400 "))
            #expect(!(await cli.run(["client", "list", "--realm", "shop"])).output.contains("ghost-bot"))

            // A master-realm client without the herald-admin role gets tokens, but no admin API.
            #expect(await cli.run(["agent", "create", "viewer", "--realm", "master"]).status == 0)
            let viewer = await cli.run(["client", "create", "viewer-bot", "--realm", "master", "--subject", "viewer",
                                        "--output", "json"])
            let secret = try #require(try json(viewer)["client_secret"]?.string)
            let secretFile = try cli.directory.write("viewer-secret", secret)
            let other = try CLIHarness(environment: cli.environment.filter { $0.key == "HERALD_SERVER" })
            defer { other.directory.remove() }
            #expect(await other.run(["login", "--client-id", "viewer-bot", "--client-secret-file", secretFile]).status == 0)
            let forbidden = await other.run(["mapping", "list", "--realm", "shop"])
            #expect(forbidden.status == 2, "\(forbidden)")
            #expect(forbidden.errors == "herald: the token lacks role herald-admin (403 insufficient_scope); the logged-in "
                + "client lacks the herald-admin role; log in with the credentials in the server's data/admin-credentials")
        }
    }
}

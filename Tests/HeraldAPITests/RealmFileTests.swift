import Foundation
import HeraldAPI
import HeraldCore
import HeraldTesting
import Testing

@Suite("Realm files")
struct RealmFileTests {
    let loader = RealmFileLoader(environment: ["BOT_SECRET": "from-the-environment-1234"], checkJWKS: { json in
        guard json.contains("\"kty\"") else { throw ValidationFailure(message: "a JWK needs kty") }
    })

    struct ValidationFailure: Error, CustomStringConvertible { let message: String; var description: String { message } }

    func issues(_ text: String) -> [RealmFileIssue] {
        loader.issues(in: text)
    }

    @Test("the fixture realm loads with its overrides, mappings and clients")
    func loads() throws {
        let realm = try loader.load(text: RealmFixtures.testRealm(), file: "t.yaml", baseDirectory: "/")
        #expect(realm.config.name == "test")
        #expect(realm.config.levelTable[.l3].txLimit == 2500)
        #expect(realm.config.roleMappings == [RoleMapping(id: "rm-1", group: "vault", role: "mcps-l4")])
        #expect(realm.config.clients.map(\.auth) == [.clientSecretBasic, .clientSecretPost, .clientSecretBasic])
        #expect(realm.secrets["two-bot"] == RealmFixtures.botSecret)
        #expect(realm.inlineSecretClients.count == 3)
    }

    @Test("the demo realms validate")
    func demoRealms() throws {
        let realms = try loader.loadDirectory(URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("realms").path)
        #expect(realms.map(\.config.name) == ["acme", "globex"])
        #expect(realms[1].config.algorithms == [.edDSA, .es256])
    }

    @Test("an unknown key names the file, line and the nearest valid key")
    func unknownKey() {
        let found = issues("realm: acme\ntoken:\n  lifetim: 5m\n")
        #expect(found.count == 1)
        #expect(found.first?.description == "r.yaml:3:3: token.lifetim: unknown key (did you mean lifetime?)")
    }

    @Test("every problem is reported at once, with its location")
    func manyProblems() {
        let found = issues("""
            realm: Acme!
            token: {lifetime: 5 minutes, algorithms: [ES256, RS256]}
            keys: {rotation_period: 1h, publish_ahead: 2h}
            levels:
              L7: {label: x}
              L2: {tx_limit: -1}
            clients:
              - {client_id: a, subject: nobody, auth: client_secret_basic, secret: short}
              - {client_id: b, subject: nobody, auth: client_secret_bassic}
            directory:
              static:
                agents: [{id: x, roles: [mcps-l7]}]
            tools: {query: L2}
            default_tool_level: L9
            """)
        let text = found.map(\.description).joined(separator: "\n")
        for expected in [
            "r.yaml:1:8: realm: 'Acme!' is not valid",
            "token.lifetime: '5 minutes' is not a duration",
            "token.algorithms[1]: 'RS256' is not supported",
            "keys.publish_ahead: must be shorter than keys.rotation_period",
            "levels.L7: unknown level",
            "levels.L2.tx_limit: -1 is outside",
            "clients[0].subject: no agent nobody",
            "clients[0].secret: the secret is shorter than 16 characters",
            "clients[1].auth: 'client_secret_bassic' is not allowed (did you mean client_secret_basic?)",
            "directory.static.agents[0].roles[0]: 'mcps-l7' looks like a level role",
            "tools.query: write tools as server/tool",
            "default_tool_level: 'L9' is not a level",
        ] {
            #expect(text.contains(expected), "missing: \(expected)\nin:\n\(text)")
        }
        #expect(found.allSatisfy { $0.line > 0 })
    }

    @Test("secrets come from files relative to the realm file, or the environment")
    func secretSources() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("secrets/bot", "from-a-file-0123456789\n")
        let text = """
            realm: s
            clients:
              - {client_id: f, subject: a, auth: client_secret_basic, secret_file: secrets/bot}
              - {client_id: e, subject: a, auth: client_secret_post, secret_env: BOT_SECRET}
            directory: {static: {agents: [{id: a}]}}
            """
        let realm = try loader.load(text: text, file: "s.yaml", baseDirectory: directory.path)
        #expect(realm.secrets == ["f": "from-a-file-0123456789", "e": "from-the-environment-1234"])
        #expect(realm.inlineSecretClients.isEmpty)
    }

    @Test("client method rules: one secret source, keys only for private_key_jwt")
    func clientRules() {
        let found = issues("""
            realm: c
            clients:
              - {client_id: a, subject: x, auth: client_secret_basic}
              - {client_id: b, subject: x, auth: private_key_jwt}
              - {client_id: c, subject: x, auth: private_key_jwt, jwks: {keys: [{crv: P-256}]}}
              - {client_id: a, subject: x, auth: client_secret_post, secret: "0123456789abcdefgh", secret_env: X}
            directory: {static: {agents: [{id: x}]}}
            """).map(\.description).joined(separator: "\n")
        #expect(found.contains("clients[0]: a secret client needs secret_file"))
        #expect(found.contains("clients[1]: a private_key_jwt client needs jwks"))
        #expect(found.contains("clients[2].jwks: a JWK needs kty"))
        #expect(found.contains("clients[3].client_id: client a is declared twice"))
        #expect(found.contains("clients[3]: give only one of"))
    }

    @Test("invalid YAML is located")
    func invalidYAML() {
        let found = issues("realm: acme\ntoken: {lifetime: 5m\n")
        #expect(found.count == 1)
        #expect(found[0].message.hasPrefix("not valid YAML"))
        #expect(found[0].line > 0)
    }

    @Test("duplicate keys are refused")
    func duplicateKeys() {
        #expect(issues("realm: a\nrealm: b\n").map(\.message) == ["key 'realm' appears twice in one mapping; keep one"])
    }

    @Test("the LDAP directory is refused until it exists, rather than silently serving no agents")
    func ldapNotYet() {
        #expect(issues("realm: a\ndirectory: {ldap: {url: ldap://x}}\n").map(\.path) == ["directory.ldap"])
    }
}

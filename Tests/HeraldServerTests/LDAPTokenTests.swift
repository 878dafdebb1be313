import Foundation
import HeraldCore
import HeraldServer
import HeraldTesting
import Hummingbird
import HummingbirdTesting
import Testing

/// Tokens for LDAP-backed agents, end to end against a real slapd.
@Suite("LDAP-backed tokens")
struct LDAPTokenTests {
    /// A Herald over one LDAP realm file, logging everything into `logs`.
    struct Server {
        let herald: Herald
        let clock: ManualClock
        let directory: TemporaryDirectory
        let logs: LogCapture

        static func start(realms: [String: String]) async throws -> Server {
            let directory = try TemporaryDirectory()
            for (name, text) in realms { try directory.write("realms/\(name).yaml", text) }
            let configuration = ServerConfiguration(realmsDirectory: directory.file("realms"),
                                                    dataDirectory: directory.file("data"), host: "127.0.0.1", port: 0,
                                                    publicURL: "https://herald.test")
            let logs = LogCapture()
            let clock = ManualClock()
            let herald = try await buildHerald(configuration: configuration, clock: clock, logger: logs.logger())
            return Server(herald: herald, clock: clock, directory: directory, logs: logs)
        }

        var adminCredentials: (String, String) {
            let data = FileManager.default.contents(atPath: directory.file("data/admin-credentials")) ?? Data()
            let object = (try? JSONSerialization.jsonObject(with: data) as? [String: String]) ?? [:]
            return (object["client_id"] ?? "", object["client_secret"] ?? "")
        }
    }

    struct Reply {
        let status: Int
        let object: [String: Any]
        var error: String? { object["error"] as? String }
        var mcps: [String: Any]? {
            (object["access_token"] as? String).flatMap { JWTParts.claims($0)["mcps"] as? [String: Any] }
        }
        var level: Int? { mcps?["trust_level"] as? Int }
        var claims: [String: Any] { (object["access_token"] as? String).map(JWTParts.claims) ?? [:] }
    }

    static func token(_ client: any TestClientProtocol, realm: String = "corp", id: String, secret: String) async throws
        -> Reply
    {
        func encode(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
        }
        let basic = "Basic " + Data("\(encode(id)):\(encode(secret))".utf8).base64EncodedString()
        return try await client.execute(uri: "/realms/\(realm)/protocol/openid-connect/token", method: .post,
                                        headers: [.contentType: "application/x-www-form-urlencoded", .authorization: basic],
                                        body: ByteBuffer(string: "grant_type=client_credentials")) { response in
            Reply(status: Int(response.status.code),
                  object: (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                      ?? [:])
        }
    }

    @Test("levels from the directory reach the mcps claim; disabled and unknown agents get nothing")
    func levels() async throws {
        try await SlapdFixture.with(seed: LDAPFixtures.seed()) { fixture in
            try await fixture.modify(LDAPFixtures.closeCycle)
            let server = try await Server.start(realms: ["corp": LDAPFixtures.realm(fixture)])
            defer { server.directory.remove() }
            try await server.herald.application.test(.router) { client in
                let password = LDAPFixtures.password
                let expected = ["agent-l3": 3, "agent-deep": 4, "agent-two": 3, "agent-none": 0, "agent-mapped": 4,
                                "agent-cycle": 1]
                for (id, level) in expected {
                    let reply = try await Self.token(client, id: id, secret: password)
                    #expect(reply.status == 200 && reply.level == level, "\(id): \(reply.status) \(reply.object)")
                    #expect(reply.claims["sub"] as? String == id)
                }
                let l3 = try await Self.token(client, id: "l3-bot", secret: RealmFixtures.botSecret)
                #expect(l3.level == 3 && l3.claims["sub"] as? String == "agent-l3")
                #expect((l3.claims["realm_access"] as? [String: [String]])?["roles"] == ["mcps-l3"])
                let disabled = try await Self.token(client, id: "disabled-bot", secret: RealmFixtures.botSecret)
                #expect(disabled.status == 400 && disabled.object["access_token"] == nil, "\(disabled.object)")
                let disabledBind = try await Self.token(client, id: "agent-disabled", secret: password)
                #expect(disabledBind.status == 401 && disabledBind.error == "invalid_client")
                for id in ["*)(uid=*", "*", "agent-*", "agent-l3)(uid=*", "nobody"] {
                    let reply = try await Self.token(client, id: id, secret: password)
                    #expect(reply.status == 401 && reply.error == "invalid_client", "\(id): \(reply.object)")
                }
            }
        }
    }

    @Test("ldap_bind: right password → token, wrong → invalid_client; no password in any log line")
    func ldapBind() async throws {
        try await SlapdFixture.with(seed: LDAPFixtures.seed()) { fixture in
            let server = try await Server.start(realms: ["corp": LDAPFixtures.realm(fixture)])
            defer { server.directory.remove() }
            let wrong = "not-the-password-42-xyz"
            try await server.herald.application.test(.router) { client in
                let right = try await Self.token(client, id: "deep-bot", secret: LDAPFixtures.password)
                #expect(right.status == 200 && right.level == 4)
                #expect(right.claims["sub"] as? String == "agent-deep" && right.claims["client_id"] as? String == "deep-bot")
                let refused = try await Self.token(client, id: "deep-bot", secret: wrong)
                #expect(refused.status == 401 && refused.error == "invalid_client")
                let empty = try await Self.token(client, id: "deep-bot", secret: "")
                #expect(empty.status == 401)
                try await fixture.stop()
                server.clock.advance(by: 31)
                let down = try await Self.token(client, id: "deep-bot", secret: LDAPFixtures.password)
                #expect(down.status == 503 && down.error == "temporarily_unavailable")
            }
            let lines = server.logs.all
            #expect(lines.contains { $0.contains("token denied") })
            #expect(lines.contains { $0.contains("token issued") })
            for secret in [LDAPFixtures.password, wrong, fixture.bindPassword] {
                #expect(!server.logs.contains(secret), "a log line holds a password")
            }
        }
    }

    @Test("moving an agent L2 → L4 shows in the next token after cache_ttl; removal too")
    func move() async throws {
        try await SlapdFixture.with(seed: LDAPFixtures.seed()) { fixture in
            let server = try await Server.start(realms: ["corp": LDAPFixtures.realm(fixture, ldapKeys: ["cache_ttl: 30s"])])
            defer { server.directory.remove() }
            try await server.herald.application.test(.router) { client in
                #expect(try await Self.token(client, id: "mover-bot", secret: LDAPFixtures.password).level == 2)
                try await fixture.modify(LDAPFixtures.move("agent-mover", from: "mcps-l2", to: "mcps-l4"))
                #expect(try await Self.token(client, id: "mover-bot", secret: LDAPFixtures.password).level == 2)
                server.clock.advance(by: 31)
                #expect(try await Self.token(client, id: "mover-bot", secret: LDAPFixtures.password).level == 4)
                try await fixture.modify(LDAPFixtures.move("agent-mover", from: "mcps-l4", to: nil))
                server.clock.advance(by: 31)
                #expect(try await Self.token(client, id: "mover-bot", secret: LDAPFixtures.password).level == 0)
            }
        }
    }

    @Test("outage: fail_closed answers 503 temporarily_unavailable; serve_stale until max_stale; restart recovers")
    func outage() async throws {
        try await SlapdFixture.with(seed: LDAPFixtures.seed()) { fixture in
            let server = try await Server.start(realms: [
                "corp": LDAPFixtures.realm(fixture, ldapKeys: ["cache_ttl: 30s"]),
                "stale": LDAPFixtures.realm(fixture, name: "stale",
                                            ldapKeys: ["cache_ttl: 30s", "on_unavailable: serve_stale", "max_stale: 60s"]),
            ])
            defer { server.directory.remove() }
            try await server.herald.application.test(.router) { client in
                let secret = RealmFixtures.botSecret
                #expect(try await Self.token(client, id: "l3-bot", secret: secret).level == 3)
                #expect(try await Self.token(client, realm: "stale", id: "l3-bot", secret: secret).level == 3)
                try await fixture.stop()
                server.clock.advance(by: 31)
                let closed = try await Self.token(client, id: "l3-bot", secret: secret)
                #expect(closed.status == 503 && closed.error == "temporarily_unavailable" && closed.level == nil)
                #expect(try await Self.token(client, realm: "stale", id: "l3-bot", secret: secret).level == 3)
                server.clock.advance(by: 60)  // 91 s since the last read: past cache_ttl + max_stale
                let expired = try await Self.token(client, realm: "stale", id: "l3-bot", secret: secret)
                #expect(expired.status == 503 && expired.error == "temporarily_unavailable")
                try await fixture.restart()
                #expect(try await Self.token(client, id: "l3-bot", secret: secret).level == 3)
                #expect(try await Self.token(client, realm: "stale", id: "l3-bot", secret: secret).level == 3)
            }
        }
    }

    @Test("admin API: directory explain shows DN, nesting path, roles and the mcps claim; sync reports counts")
    func adminExplain() async throws {
        try await SlapdFixture.with(seed: LDAPFixtures.seed()) { fixture in
            let server = try await Server.start(realms: ["corp": LDAPFixtures.realm(fixture)])
            defer { server.directory.remove() }
            try await server.herald.application.test(.router) { client in
                let (id, secret) = server.adminCredentials
                let token = try await AdminTestClient.token(client, clientID: id, secret: secret)
                let deep = try await client.call(.get, "/admin/realms/corp/directory/agents/agent-deep", token: token)
                #expect(deep.status == 200, "\(deep.text)")
                #expect(deep.object["dn"] as? String == SlapdFixture.agentDN("agent-deep"))
                #expect(deep.object["trust_level"] as? String == "L4")
                let groups = deep.object["groups"] as? [[String: Any]] ?? []
                let path = groups.first { $0["name"] as? String == "mcps-l4" }?["path"] as? [String]
                #expect(path?.count == 4)
                #expect((deep.object["mcps"] as? [String: Any])?["trust_level"] as? Int == 4)
                #expect((deep.object["bind"] as? [String: Any])?["dn"] as? String == SlapdFixture.bindDN)
                let mapped = try await client.call(.get, "/admin/realms/corp/directory/agents/agent-mapped", token: token)
                #expect((mapped.object["mapped"] as? [[String: String]])?.first?["role"] == "mcps-l4")
                let disabled = try await client.call(.get, "/admin/realms/corp/directory/agents/agent-disabled", token: token)
                #expect(disabled.object["disabled"] as? Bool == true)
                let missing = try await client.call(.get, "/admin/realms/corp/directory/agents/nobody", token: token)
                #expect(missing.object["found"] as? Bool == false)
                let sync = try await client.call(.post, "/admin/realms/corp/directory/sync", token: token)
                #expect(sync.status == 200 && sync.object["agents"] as? Int == 7, "\(sync.text)")
                let none = try await client.call(.get, "/admin/realms/master/directory/agents/x", token: token)
                #expect(none.status == 404)
                let export = try await client.call(.get, "/admin/realms/corp", token: token)
                #expect(export.text.contains("ldap") && !export.text.contains(fixture.bindPassword))
            }
        }
    }
    @Test("sync mode: tokens come from the synchronised copy; a move shows after a sync; static agent edits are refused")
    func syncMode() async throws {
        try await SlapdFixture.with(seed: LDAPFixtures.seed()) { fixture in
            let server = try await Server.start(realms: [
                "corp": LDAPFixtures.realm(fixture, ldapKeys: ["mode: sync", "sync_period: 1h"]),
            ])
            defer { server.directory.remove() }
            try await server.herald.application.test(.router) { client in
                let (id, secret) = server.adminCredentials
                let admin = try await AdminTestClient.token(client, clientID: id, secret: secret)
                #expect(try await Self.token(client, id: "mover-bot", secret: LDAPFixtures.password).level == 2)
                #expect(try await Self.token(client, id: "agent-deep", secret: LDAPFixtures.password).level == 4)
                try await fixture.modify(LDAPFixtures.move("agent-mover", from: "mcps-l2", to: "mcps-l4"))
                server.clock.advance(by: 120)  // within sync_period: still the old copy
                #expect(try await Self.token(client, id: "mover-bot", secret: LDAPFixtures.password).level == 2)
                let sync = try await client.call(.post, "/admin/realms/corp/directory/sync", token: admin)
                #expect(sync.status == 200 && sync.object["mode"] as? String == "sync", "\(sync.text)")
                #expect(try await Self.token(client, id: "mover-bot", secret: LDAPFixtures.password).level == 4)
                let create = try await client.call(.post, "/admin/realms/corp/agents", token: admin,
                                                   body: #"{"id":"agent-static","roles":["mcps-l4"]}"#)
                #expect(create.status == 409, "\(create.text)")
                let export = try await client.call(.get, "/admin/realms/corp", token: admin)
                #expect(export.text.contains("sync_period"), "\(export.text)")
            }
        }
    }
}

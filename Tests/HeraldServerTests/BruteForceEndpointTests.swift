import Foundation
import HeraldCore
import HeraldServer
import HeraldTesting
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Brute-force limits over HTTP")
struct BruteForceEndpointTests {
    static let tokenPath = "/realms/test/protocol/openid-connect/token"
    static let limits = """
        brute_force:
          max_failures: 3
          wait_increment: 1m
          max_wait: 5m
          failure_reset: 1h
          per_address: {max_failures: 50}
          event_rate: 2/min
        """

    static func basic(_ id: String, _ secret: String) -> String {
        "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()
    }

    static func token(_ client: any TestClientProtocol, _ id: String = "four-bot",
                      secret: String = RealmFixtures.botSecret, realm: String = "test") async throws -> JSONReply {
        try await client.call(.post, "/realms/\(realm)/protocol/openid-connect/token", token: nil,
                              body: "grant_type=client_credentials",
                              headers: [.contentType: "application/x-www-form-urlencoded",
                                        .authorization: basic(id, secret)])
    }

    static func retryAfter(_ client: any TestClientProtocol, _ id: String = "four-bot") async throws -> String? {
        try await client.execute(uri: tokenPath, method: .post,
                                 headers: [.contentType: "application/x-www-form-urlencoded",
                                           .authorization: basic(id, RealmFixtures.botSecret)],
                                 body: ByteBuffer(string: "grant_type=client_credentials")) { $0.headers[.retryAfter] }
    }

    static func entries(_ server: TestServer, _ type: String, realm: String = "test") async throws -> [AuditEntry] {
        try await server.herald.audit?.entries(AuditQuery(realm: realm, type: type)) ?? []
    }

    @Test("while locked the right secret is refused: 429, Retry-After, audited once; the lock ends after the wait")
    func lockedToken() async throws {
        let server = try await TestServer.start(realms: Lifecycle.realm(Self.limits))
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            for _ in 0..<3 { #expect(try await Self.token(client, secret: "wrong-secret-guess").status == 401) }
            let locked = try await Self.token(client)
            #expect(locked.status == 429)
            #expect(locked.object["error"] as? String == "invalid_client")
            #expect(locked.object["error_description"] as? String
                == "too many failed authentications for this client; retry after 60 s")
            server.clock.advance(by: 15)
            #expect(try await Self.retryAfter(client) == "45")
            // Another client is not affected.
            #expect(try await Self.token(client, "zero-bot").status == 200)

            let started = try await Self.entries(server, "auth.lockout.started")
            #expect(started.count == 1)
            #expect(started.first?.event.client == "four-bot")
            #expect(started.first?.event.detail["scope"] == "client")
            #expect(started.first?.event.detail["failures"] == "3")
            #expect(started.first?.event.detail["wait"] == "60")
            #expect(started.first?.event.reason == "wrong secret for client four-bot")
            // The refusals during the lock are not token.denied entries each.
            #expect(try await Self.entries(server, "token.denied").count == 3)

            server.clock.advance(by: 45)
            #expect(try await Self.token(client).status == 200)
            let ended = try await Self.entries(server, "auth.lockout.ended")
            #expect(ended.count == 1)
            #expect(ended.first?.event.detail["refused"] == "2")
            // The success ended the run: three more failures are needed to lock again.
            for _ in 0..<2 { #expect(try await Self.token(client, secret: "wrong-secret-guess").status == 401) }
            #expect(try await Self.token(client).status == 200)
        }
    }

    @Test("the lock is checked before the secret: a locked unknown client id looks like a locked known one")
    func unknownClient() async throws {
        let server = try await TestServer.start(realms: Lifecycle.realm(Self.limits))
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            for id in ["four-bot", "no-such-bot"] {
                for _ in 0..<3 { #expect(try await Self.token(client, id, secret: "wrong-secret-guess").status == 401) }
            }
            let known = try await Self.token(client, "four-bot"), unknown = try await Self.token(client, "no-such-bot")
            #expect(known.status == 429 && unknown.status == 429)
            #expect(known.object as NSDictionary == unknown.object as NSDictionary)
        }
    }

    @Test("every client authentication passes through the limiter: introspection, MCP gate, outcome reports")
    func everyEndpoint() async throws {
        let server = try await TestServer.start(realms: Lifecycle.realm(Self.limits + "\n" + Lifecycle.tools))
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            // Failures at the introspection endpoint lock the client at the token endpoint too.
            for _ in 0..<3 {
                let reply = try await client.call(.post, "/realms/test/protocol/openid-connect/token/introspect",
                                                  token: nil, body: "token=x",
                                                  headers: [.contentType: "application/x-www-form-urlencoded",
                                                            .authorization: Self.basic("zero-bot", "wrong-secret-guess")])
                #expect(reply.status == 401)
            }
            #expect(try await Self.token(client, "zero-bot").status == 429)
            let gate = #"{"agent_id":"agent-two","mcp_server_id":"database-mcp","tool_name":"query"}"#
            let gated = try await Lifecycle.json(client, "/realms/test/mcp/verify", gate, as: "zero-bot")
            #expect(gated.status == 429)
            #expect(gated.object["error"] as? String == "invalid_client")
            let report = try await Lifecycle.json(client, "/realms/test/agents/agent-four/events",
                                                  #"{"outcome":"success","reference":"r"}"#, as: "zero-bot")
            #expect(report.status == 429)
        }
    }

    @Test("outcome reports: event_rate per caller, then 429 with Retry-After")
    func reportRate() async throws {
        let server = try await TestServer.start(realms: Lifecycle.realm(Self.limits))
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            func report(_ caller: String) async throws -> (Int, String?, [String: Any]) {
                try await client.execute(uri: "/realms/test/agents/agent-four/events", method: .post,
                                         headers: [.authorization: Lifecycle.basic(caller)],
                                         body: ByteBuffer(string: #"{"outcome":"success","reference":"r"}"#)) { response in
                    (Int(response.status.code), response.headers[.retryAfter],
                     (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:])
                }
            }
            #expect(try await report("two-bot").0 == 202)
            #expect(try await report("two-bot").0 == 202)
            let limited = try await report("two-bot")
            #expect(limited.0 == 429)
            #expect(limited.1 == "30")
            #expect(limited.2["error"] as? String == "rate_limited")
            #expect(try await report("zero-bot").0 == 202)
            server.clock.advance(by: 30)
            #expect(try await report("two-bot").0 == 202)
        }
    }

    @Test("admin login: the master realm's admin client is locked after 30 failures (the defaults)")
    func adminLogin() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            for _ in 0..<30 {
                #expect(try await Self.token(client, admin.clientID, secret: "wrong-secret-guess", realm: "master")
                    .status == 401)
            }
            let refused = try await Self.token(client, admin.clientID, secret: admin.secret, realm: "master")
            #expect(refused.status == 429)
            let started = try await Self.entries(server, "auth.lockout.started", realm: "master")
            #expect(started.map(\.event.client) == [admin.clientID])
            server.clock.advance(by: 60)
            #expect(try await Self.token(client, admin.clientID, secret: admin.secret, realm: "master").status == 200)
        }
    }

    @Test("metrics: failures, lockouts, refusals and the locked gauge, by realm")
    func metrics() async throws {
        let server = try await TestServer.start(realms: Lifecycle.realm(Self.limits))
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            for _ in 0..<3 { _ = try await Self.token(client, secret: "wrong-secret-guess") }
            _ = try await Self.token(client)
            var text = try await client.call(.get, "/metrics", token: nil).text
            #expect(text.contains(#"herald_client_auth_failures_total{realm="test"} 3"#))
            #expect(text.contains(#"herald_client_auth_lockouts_total{realm="test",scope="client"} 1"#))
            #expect(text.contains(#"herald_client_auth_locked_refusals_total{realm="test",scope="client"} 1"#))
            #expect(text.contains(#"herald_client_auth_locked{realm="test",scope="client"} 1"#))
            server.clock.advance(by: 60)
            text = try await client.call(.get, "/metrics", token: nil).text
            #expect(text.contains(#"herald_client_auth_locked{realm="test",scope="client"} 0"#))
        }
    }

    @Test("live connections: failures are counted per peer address")
    func perAddress() async throws {
        let realm = RealmFixtures.testRealm() + """

            brute_force:
              max_failures: 1000
              per_address: {max_failures: 4, wait_increment: 2m, max_wait: 10m, failure_reset: 1h}
            """
        let server = try await TestServer.start(realms: ["test.yaml": realm])
        defer { server.directory.remove() }
        try await server.herald.application.test(.live) { client in
            for index in 0..<4 {
                #expect(try await Self.token(client, "guess-\(index)", secret: "wrong-secret-guess").status == 401)
            }
            let refused = try await Self.token(client)
            #expect(refused.status == 429)
            #expect(refused.object["error_description"] as? String
                == "too many failed authentications from this address; retry after 120 s")
            let started = try await Self.entries(server, "auth.lockout.started")
            #expect(started.first?.event.detail["scope"] == "address")
            #expect(started.first?.event.detail["address"] == "127.0.0.1")
            #expect(started.first?.event.client == nil)
        }
    }
}

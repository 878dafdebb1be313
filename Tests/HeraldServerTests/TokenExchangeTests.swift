import Foundation
import HeraldServer
import HeraldTesting
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("RFC 8693 token exchange")
struct TokenExchangeTests {
    static let grant = "urn:ietf:params:oauth:grant-type:token-exchange"
    static let accessToken = "urn:ietf:params:oauth:token-type:access_token"

    static func exchange(_ client: any TestClientProtocol, _ subject: String, as clientID: String,
                         type: String = accessToken) async throws -> JSONReply {
        try await Lifecycle.form(client, "/realms/test/protocol/openid-connect/token",
                                 "grant_type=\(grant)&subject_token=\(subject)&subject_token_type=\(type)", as: clientID)
    }

    @Test("delegation: the actor is named in act, chains nest, and the level never rises")
    func delegation() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            let subject = try #require(try await Lifecycle.token(client))  // agent-two, L2
            let first = try await Self.exchange(client, subject, as: "four-bot")
            #expect(first.status == 200, "\(first.text)")
            #expect(first.object["issued_token_type"] as? String == Self.accessToken)
            let token = try #require(first.object["access_token"] as? String)
            let claims = JWTParts.claims(token)
            #expect(claims["sub"] as? String == "agent-two")
            #expect(claims["client_id"] as? String == "four-bot")
            #expect((claims["act"] as? [String: Any])?["sub"] as? String == "agent-four")
            #expect(Lifecycle.mcps(token)["trust_level"] as? Int == 2)  // min(subject L2, actor L4)
            #expect(claims["federated_from"] == nil)
            #expect((claims["exp"] as? Int ?? .max) <= (JWTParts.claims(subject)["exp"] as? Int ?? 0))

            // zero-bot (L0) exchanges the exchanged token: a nested act, and L0.
            let second = try await Self.exchange(client, token, as: "zero-bot")
            let chained = try #require(second.object["access_token"] as? String)
            let act = try #require(JWTParts.claims(chained)["act"] as? [String: Any])
            #expect(act["sub"] as? String == "agent-zero")
            #expect((act["act"] as? [String: Any])?["sub"] as? String == "agent-four")
            #expect(Lifecycle.mcps(chained)["trust_level"] as? Int == 0)
        }
    }

    @Test("bad requests: missing or wrong types are invalid_request, unusable subjects invalid_grant")
    func refusals() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            let subject = try #require(try await Lifecycle.token(client))
            let wrongType = try await Self.exchange(client, subject, as: "four-bot", type: "urn:x")
            #expect(wrongType.status == 400 && wrongType.object["error"] as? String == "invalid_request")
            let junk = try await Self.exchange(client, "junk", as: "four-bot")
            #expect(junk.status == 400 && junk.object["error"] as? String == "invalid_grant")
            let missing = try await Lifecycle.form(client, "/realms/test/protocol/openid-connect/token",
                                                   "grant_type=\(Self.grant)", as: "four-bot")
            #expect(missing.status == 400 && missing.object["error"] as? String == "invalid_request")
            // A killed subject cannot be delegated.
            let adminToken = try await admin.token(client)
            _ = try await client.call(.post, "/admin/realms/test/agents/agent-two/kill", token: adminToken,
                                      body: #"{"reason":"x"}"#)
            let killed = try await Self.exchange(client, subject, as: "four-bot")
            #expect(killed.status == 400, "\(killed.text)")
            // Nor can a killed actor act.
            _ = try await client.call(.post, "/admin/realms/test/agents/agent-two/revive", token: adminToken)
            _ = try await client.call(.post, "/admin/realms/test/agents/agent-four/kill", token: adminToken,
                                      body: #"{"reason":"x"}"#)
            #expect(try await Self.exchange(client, subject, as: "four-bot").status == 400)
        }
    }
}

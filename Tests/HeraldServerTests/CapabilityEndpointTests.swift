import Foundation
import HeraldServer
import HeraldTesting
import Hummingbird
import HummingbirdTesting
import Testing

/// Capability tokens end to end on a real app (docs/action-authority.md): issued by the token
/// exchange with authorization_details, consumed once at /capabilities/consume, revocable,
/// invalid once the agent is stopped.
@Suite("Capability tokens")
struct CapabilityEndpointTests {
    static let token = "/realms/test/protocol/openid-connect/token"
    static let consume = "/realms/test/capabilities/consume"
    static let detail = #"[{"type":"payment","actions":["initiate"],"locations":["https://pay.test"],"#
        + #""identifier":"invoice-42","amount":"125.50","currency":"EUR"}]"#

    static func request(_ client: any TestClientProtocol, subject: String, details: String = detail,
                        extra: String = "", as clientID: String = "four-bot") async throws -> JSONReply {
        let body = "grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token=\(subject)"
            + "&subject_token_type=urn:ietf:params:oauth:token-type:access_token"
            + "&authorization_details=\(details.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" + extra
        return try await Lifecycle.form(client, token, body, as: clientID)
    }

    static func consume(_ client: any TestClientProtocol, _ capability: String, extra: String = "") async throws
        -> JSONReply
    {
        try await Lifecycle.json(client, consume, #"{"capability":"\#(capability)"\#(extra)}"#, as: "zero-bot")
    }

    @Test("one action on one resource, consumed once; the second use is 409 capability_used")
    func issueAndConsumeOnce() async throws {
        let server = try await TestServer.start(realms: Lifecycle.realm("capabilities: {lifetime: 30s, max_lifetime: 2m}"))
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            let subject = try #require(try await Lifecycle.token(client, clientID: "four-bot"))
            let reply = try await Self.request(client, subject: subject)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.object["token_type"] as? String == "N_A")
            #expect(reply.object["issued_token_type"] as? String == "urn:ietf:params:oauth:token-type:jwt")
            #expect(reply.object["expires_in"] as? Int == 30)
            let capability = try #require(reply.object["access_token"] as? String)
            #expect(JWTParts.header(capability)["typ"] as? String == "capability+jwt")
            let claims = JWTParts.claims(capability)
            #expect(claims["sub"] as? String == "agent-four")
            #expect(claims["aud"] as? String == "https://pay.test")
            #expect((claims["jti"] as? String)?.hasPrefix("cap_") == true)
            #expect((claims["exp"] as? Int ?? 0) - (claims["iat"] as? Int ?? 0) == 30)
            #expect(claims["act"] == nil, "the agent asked for itself")
            let details = try #require(claims["authorization_details"] as? [[String: Any]])
            #expect(details.count == 1 && details[0]["actions"] as? [String] == ["initiate"])
            #expect(details[0]["amount"] as? String == "125.50" && details[0]["currency"] as? String == "EUR")
            #expect((claims["status"] as? [String: Any])?["status_list"] != nil)

            // A capability is no access token: the bearer check refuses it.
            let asBearer = try await client.call(.post, "/realms/test/mcp/verify", token: capability,
                                                 body: #"{"agent_id":"agent-four","tool_name":"x/y"}"#)
            #expect(asBearer.status == 401)

            let first = try await Self.consume(client, capability, extra: #","action":"initiate""#)
            #expect(first.status == 200, "\(first.text)")
            #expect(first.object["consumed"] as? Bool == true && first.object["agent_id"] as? String == "agent-four")
            let second = try await Self.consume(client, capability)
            #expect(second.status == 409 && second.object["error"] as? String == "capability_used", "\(second.text)")
        }
    }

    @Test("a mismatching expectation, a revocation and a kill each refuse the capability without consuming it")
    func refusals() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            let subject = try #require(try await Lifecycle.token(client, clientID: "four-bot"))
            let capability = try #require(try await Self.request(client, subject: subject).object["access_token"] as? String)
            let wrongAction = try await Self.consume(client, capability, extra: #","action":"refund""#)
            #expect(wrongAction.status == 400 && wrongAction.object["error"] as? String == "invalid_token")
            // Not consumed by the refusal: the kill refuses it next, then the revival lets it through.
            let adminToken = try await admin.token(client)
            _ = try await client.call(.post, "/admin/realms/test/agents/agent-four/kill", token: adminToken,
                                      body: #"{"reason":"test"}"#)
            let killed = try await Self.consume(client, capability)
            #expect(killed.status == 400, "\(killed.text)")
            _ = try await client.call(.post, "/admin/realms/test/agents/agent-four/revive", token: adminToken)
            #expect(try await Self.consume(client, capability).status == 200)

            // Revoked by its client: refused.
            let other = try #require(try await Self.request(client, subject: subject).object["access_token"] as? String)
            let revoked = try await Lifecycle.json(client, "/realms/test/capabilities/revoke",
                                                   #"{"capability":"\#(other)"}"#, as: "four-bot")
            #expect(revoked.status == 200, "\(revoked.text)")
            let refused = try await Self.consume(client, other)
            #expect(refused.status == 400 && refused.text.contains("revoked"), "\(refused.text)")
            // Another client may not revoke it.
            let third = try #require(try await Self.request(client, subject: subject).object["access_token"] as? String)
            let foreign = try await Lifecycle.json(client, "/realms/test/capabilities/revoke",
                                                   #"{"capability":"\#(third)"}"#, as: "zero-bot")
            #expect(foreign.status == 403)
        }
    }

    @Test("requests outside the shape or the realm's bounds are invalid_request")
    func badRequests() async throws {
        let server = try await TestServer.start(realms: Lifecycle.realm("capabilities: {max_lifetime: 1m}"))
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            let subject = try #require(try await Lifecycle.token(client, clientID: "four-bot"))
            let tooLong = try await Self.request(client, subject: subject, extra: "&capability_ttl=61")
            #expect(tooLong.status == 400 && tooLong.text.contains("max_lifetime"), "\(tooLong.text)")
            let ok = try await Self.request(client, subject: subject, extra: "&capability_ttl=5")
            #expect(ok.object["expires_in"] as? Int == 5, "\(ok.text)")
            let two = #"[{"type":"t","actions":["a"],"locations":["https://x.test"],"identifier":"r"},"#
                + #"{"type":"t","actions":["b"],"locations":["https://x.test"],"identifier":"r"}]"#
            let twoDetails = try await Self.request(client, subject: subject, details: two)
            #expect(twoDetails.status == 400 && twoDetails.text.contains("exactly one"), "\(twoDetails.text)")
            let twoActions = #"[{"type":"t","actions":["a","b"],"locations":["https://x.test"],"identifier":"r"}]"#
            #expect(try await Self.request(client, subject: subject, details: twoActions).status == 400)
            let noCurrency = #"[{"type":"t","actions":["a"],"locations":["https://x.test"],"identifier":"r","amount":"1"}]"#
            let missing = try await Self.request(client, subject: subject, details: noCurrency)
            #expect(missing.status == 400 && missing.text.contains("currency"), "\(missing.text)")
            let extraMember = #"[{"type":"t","actions":["a"],"locations":["https://x.test"],"identifier":"r","x":1}]"#
            #expect(try await Self.request(client, subject: subject, details: extraMember).status == 400)
        }
    }
}

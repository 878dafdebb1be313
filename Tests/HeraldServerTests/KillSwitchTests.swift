import Foundation
import HeraldCore
import HeraldJOSE
import HeraldServer
import HeraldTesting
import HeraldVerifier
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Kill switch, introspection, revocation, status list")
struct KillSwitchTests {
    static let introspect = "/realms/test/protocol/openid-connect/token/introspect"

    static func active(_ client: any TestClientProtocol, _ token: String?) async throws -> Bool? {
        try await Lifecycle.form(client, introspect, "token=\(token ?? "")", as: "zero-bot").object["active"] as? Bool
    }

    static func statusOf(_ client: any TestClientProtocol, index: Int) async throws -> StatusList.Status? {
        let reply = try await client.call(.get, "/realms/test/statuslists/1", token: nil)
        let claims = try StatusListClaims(payload: Array(Data(
            Base64URL.decode(String(reply.text.split(separator: ".")[1])) ?? [])))
        return claims.list.status(at: index)
    }

    @Test("a kill bites on the next request everywhere; revive restores")
    func killAgent() async throws {
        let server = try await TestServer.start(realms: Lifecycle.realm(Lifecycle.tools))
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            let token = try await Lifecycle.token(client)
            let index = try #require(((JWTParts.claims(token ?? "")["status"] as? [String: Any])?["status_list"]
                as? [String: Any])?["idx"] as? Int)
            #expect(try await Self.active(client, token) == true)
            #expect(try await Self.statusOf(client, index: index) == .valid)
            let gate = #"{"agent_id":"agent-two","mcp_server_id":"database-mcp","tool_name":"query"}"#
            #expect(try await Lifecycle.json(client, "/realms/test/mcp/verify", gate, as: "zero-bot")
                .object["decision"] as? String == "ALLOW")

            let adminToken = try await admin.token(client)
            let killed = try await client.call(.post, "/admin/realms/test/agents/agent-two/kill", token: adminToken,
                                               body: #"{"reason":"exfiltration suspected"}"#)
            #expect(killed.status == 200)
            // No sleep: the very next requests see the kill.
            let denied = try await Lifecycle.tokenReply(client)
            #expect(denied.status == 400)
            #expect(denied.object["error"] as? String == "unauthorized_client")
            #expect(try await Self.active(client, token) == false)
            #expect(try await Self.statusOf(client, index: index) == .suspended)
            let decision = try await Lifecycle.json(client, "/realms/test/mcp/verify", gate, as: "zero-bot").object
            #expect(decision["decision"] as? String == "DENY")
            #expect((decision["checks_failed"] as? [String])?.contains("status") == true)

            _ = try await client.call(.post, "/admin/realms/test/agents/agent-two/revive", token: adminToken)
            #expect(try await Lifecycle.tokenReply(client).status == 200)
            #expect(try await Self.active(client, token) == true)
            #expect(try await Self.statusOf(client, index: index) == .valid)

            let audit = try await client.call(.get, "/admin/realms/test/audit?type=agent.*", token: adminToken)
            let types = (audit.object["entries"] as? [[String: Any]])?.compactMap { $0["type"] as? String } ?? []
            #expect(types.contains("agent.killed") && types.contains("agent.revived"))
        }
    }

    @Test("an organisation kill stops every agent of the organisation and no other")
    func killOrg() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            let adminToken = try await admin.token(client)
            let killed = try await client.call(.post, "/admin/realms/test/orgs/finance/kill", token: adminToken,
                                               body: #"{"reason":"breach"}"#)
            #expect(killed.status == 200)
            #expect(try await Lifecycle.tokenReply(client).status == 400)  // agent-two is in finance
            #expect(try await Lifecycle.tokenReply(client, clientID: "four-bot").status == 200)
            _ = try await client.call(.post, "/admin/realms/test/orgs/finance/revive", token: adminToken)
            #expect(try await Lifecycle.tokenReply(client).status == 200)
        }
    }

    @Test("RFC 7009: a client revokes its own token, not another's; revoked tokens are inactive")
    func revocation() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            let token = try await Lifecycle.token(client)
            let foreign = try await Lifecycle.form(client, "/realms/test/protocol/openid-connect/revoke",
                                                   "token=\(token ?? "")", as: "zero-bot")
            #expect(foreign.status == 400)
            #expect(try await Self.active(client, token) == true)
            let own = try await client.call(
                .post, "/realms/test/protocol/openid-connect/revoke", token: nil,
                body: "token=\(token ?? "")&client_id=two-bot&client_secret=\(RealmFixtures.botSecret)",
                headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(own.status == 200)
            #expect(try await Self.active(client, token) == false)
            // Garbage is answered 200 as well (RFC 7009 §2.2); without client authentication it is 401.
            #expect(try await Lifecycle.form(client, "/realms/test/protocol/openid-connect/revoke", "token=junk",
                                             as: "zero-bot").status == 200)
            let anonymous = try await client.call(.post, "/realms/test/protocol/openid-connect/revoke", token: nil,
                                                  body: "token=junk",
                                                  headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(anonymous.status == 401)
            // Introspection of an unknown string is just inactive.
            #expect(try await Self.active(client, "junk") == false)
        }
    }

    @Test("MCP gate: level against the tool's minimum, unknown tools denied, callers authenticated")
    func mcpGate() async throws {
        let server = try await TestServer.start(realms: Lifecycle.realm(Lifecycle.tools))
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            func ask(_ body: String) async throws -> [String: Any] {
                try await Lifecycle.json(client, "/realms/test/mcp/verify", body, as: "four-bot").object
            }
            let below = try await ask(#"{"agent_id":"agent-two","mcp_server_id":"payments-mcp","tool_name":"charge"}"#)
            #expect(below["decision"] as? String == "DENY")
            #expect(below["checks_failed"] as? [String] == ["trust"])
            #expect(below["trust_level"] as? Int == 2)
            let unknown = try await ask(#"{"agent_id":"agent-four","mcp_server_id":"x","tool_name":"y"}"#)
            #expect(unknown["decision"] as? String == "DENY")
            let nobody = try await ask(#"{"agent_id":"*)(uid=*","mcp_server_id":"database-mcp","tool_name":"query"}"#)
            #expect(nobody["decision"] as? String == "DENY")
            #expect(nobody["checks_failed"] as? [String] == ["identity"])
            // By token: the agent's own access token identifies it.
            let token = try #require(try await Lifecycle.token(client, clientID: "four-bot"))
            let byToken = try await ask(#"{"token":"\#(token)","mcp_server_id":"payments-mcp","tool_name":"charge"}"#)
            #expect(byToken["decision"] as? String == "ALLOW")
            #expect(byToken["agent_id"] as? String == "agent-four")
            #expect(byToken["checks_passed"] as? [String] == ["identity", "status", "pipeline", "trust"])
            // Bearer works as caller authentication too; nothing is 401.
            let bearer = try await client.call(.post, "/realms/test/mcp/verify", token: token,
                                               body: #"{"agent_id":"agent-four","mcp_server_id":"database-mcp","tool_name":"query"}"#)
            #expect(bearer.object["decision"] as? String == "ALLOW")
            let anonymous = try await client.call(.post, "/realms/test/mcp/verify", token: nil,
                                                  body: #"{"agent_id":"agent-four","mcp_server_id":"database-mcp","tool_name":"query"}"#)
            #expect(anonymous.status == 401)
            let two = try await Lifecycle.json(client, "/realms/test/mcp/verify",
                                               #"{"agent_id":"a","token":"b","mcp_server_id":"c","tool_name":"d"}"#, as: "four-bot")
            #expect(two.status == 400)
        }
    }

    @Test("passports in both formats verify offline with the JWKS; MCPS /api/verify follows the kill switch")
    func passports() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        let agentKey = P256Key()
        try await server.herald.application.test(.router) { client in
            let token = try #require(try await Lifecycle.token(client))
            let body = #"{"public_key":\#(agentKey.publicJWK),"agent":{"version":"2.1.0","capabilities":["read"]}}"#
            let jwt = try await client.call(.post, "/realms/test/agents/agent-two/passport?format=jwt", token: token, body: body)
            #expect(jwt.status == 200)
            let mcps = try await client.call(.post, "/realms/test/agents/agent-two/passport?format=mcps", token: token,
                                             body: body)
            #expect(mcps.status == 200)
            let other = try await client.call(.post, "/realms/test/agents/agent-four/passport", token: token, body: body)
            #expect(other.status == 403)

            let jwks = try await client.call(.get, "/realms/test/.well-known/agent-trust-keys", token: nil)
            let verifier = try PassportVerifier(jwks: Data(jwks.text.utf8), issuer: "https://herald.test/realms/test")
            let now = server.clock.now()
            let fromJWT = try verifier.verify(try #require(jwt.object["passport"] as? String), now: now)
            #expect(fromJWT.subject == "agent-two" && fromJWT.trustLevel == .l2 && fromJWT.agent.version == "2.1.0")
            let fromMCPS = try verifier.verify(Array(mcps.text.utf8), now: now)
            #expect(fromMCPS.trustLevel == .l2)
            let id = fromMCPS.passportID

            func status() async throws -> String? {
                let reply = try await client.call(.get, "/realms/test/api/verify/\(id)", token: nil)
                #expect(reply.status == 200)
                let key = try await client.call(.get, "/realms/test/api/ta/public-key", token: nil).object
                let jwk = try PublicJWK(json: try JSONSerialization.data(withJSONObject: try #require(key["jwk"])))
                #expect(MCPSRevocationResponse.isSignatureValid(body: Array(reply.text.utf8), key: jwk))
                return reply.object["status"] as? String
            }
            #expect(try await status() == "VALID")
            let adminToken = try await admin.token(client)
            _ = try await client.call(.post, "/admin/realms/test/agents/agent-two/kill", token: adminToken,
                                      body: #"{"reason":"test"}"#)
            #expect(try await status() == "REVOKED")
            let unknown = try await client.call(.get, "/realms/test/api/verify/asp_00000000000000000000000000000000", token: nil)
            #expect(unknown.object["status"] as? String == "UNKNOWN")
            // A killed agent gets no passport, even from an admin.
            let refused = try await client.call(.post, "/realms/test/agents/agent-two/passport", token: adminToken, body: body)
            #expect(refused.status == 403)
        }
    }
}

/// A P-256 key pair for the agent side of a passport.
struct P256Key {
    let key = SigningKey.generate(.es256)
    var publicJWK: String { key.publicKey.json(includeMetadata: false) }
}

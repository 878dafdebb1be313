import Foundation
import HeraldCore
@testable import HeraldServer
@testable import HeraldServices
import HeraldTesting
import Hummingbird
import HummingbirdTesting
import Testing

/// Where a token of this realm that is not an agent's own credential meets the endpoints
/// that read its `sub`: a token exchanged for an upstream IdP's user (`idp`) is refused as
/// an agent credential, introspected with its `idp`, judged at the gate as its acting agent;
/// and a stopped agent anywhere in `act` stops the token (docs/wire-formats.md, "Upstream
/// IdP tokens").
@Suite("Delegated and upstream-user tokens at the agent endpoints")
struct DelegatedTokenBoundaryTests {
    static let idp = "https://kc.example/realms/acme"
    static let realm = Lifecycle.realm("""
        tools:
          database-mcp/query: L2
          docs-mcp/read: L1
        upstream_idps:
          - issuer: \(idp)
            jwks_uri: https://kc.example/realms/acme/protocol/openid-connect/certs
            audience: herald
            roles_claim: realm_access.roles
            role_mappings: {operators: mcps-l3, staff: mcps-l1}
            may_act: [four-bot, zero-bot]
        """)
    static let introspect = "/realms/test/protocol/openid-connect/token/introspect"
    static let gate = "/realms/test/mcp/verify"
    static let anAgentCredential = "this token was exchanged from upstream IdP \(idp) for user agent-two; it is not an "
        + "agent credential of this realm: use the agent's own token"

    static func claims(_ json: String) throws -> AccessTokenVerifier.Claims {
        try JSONDecoder().decode(AccessTokenVerifier.Claims.self, from: Data(json.utf8))
    }

    @Test("act is read as a chain, current actor first; a peer's nested actors are not this realm's")
    func chain() throws {
        let base = #""iss":"https://h/realms/test","sub":"u1","aud":"x","exp":2000000000"#
        let nested = try Self.claims(#"{\#(base),"act":{"sub":"coder","client_id":"c","act":{"sub":"orch"}}}"#)
        #expect(nested.localActors == ["coder", "orch"])
        #expect(nested.notAnAgentCredential == nil)
        let federated = try Self.claims(#"{\#(base),"federated_from":"https://peer","act":{"sub":"here","act":{"sub":"peer-agent"}}}"#)
        #expect(federated.localActors == ["here"])
        let odd = try Self.claims(#"{\#(base),"act":"not an object"}"#)
        #expect(odd.localActors.isEmpty)
        let upstream = try Self.claims(#"{\#(base),"idp":"https://kc","act":{"sub":"orch"}}"#)
        #expect(upstream.notAnAgentCredential == "this token was exchanged from upstream IdP https://kc for user u1; it "
            + "is not an agent credential of this realm: use the agent's own token")
        #expect(try Self.claims("{\(base)}").localActors.isEmpty)
    }

    /// A token as the exchange issues it for upstream user `agent-two` (the id of a local
    /// agent too, as if that agent were added after the exchange), acted for by agent-four.
    static func upstreamUserToken(_ server: TestServer, _ client: any TestClientProtocol) async throws -> String {
        var claims = JWTParts.claims(try #require(try await Lifecycle.token(client)))
        claims["idp"] = idp
        claims["act"] = ["sub": "agent-four", "client_id": "four-bot"]
        claims["client_id"] = "four-bot"
        claims["status"] = nil
        claims["jti"] = UUID().uuidString
        claims["mcps"] = ["trust_level": 1, "trust_label": "L1", "payment_enabled": false, "tx_limit": 0,
                          "day_limit": 0, "scopes": ""]
        let runtime = try #require(server.herald.registry.runtime(named: "test"))
        let signer = try #require(runtime.keyRing.signer(for: runtime.config.signingAlgorithm))
        return try signer.sign(claims: Array(JSONSerialization.data(withJSONObject: claims)), typ: "at+jwt")
    }

    @Test("an upstream user's token: no agent credential, introspected with idp, judged at the gate as its actor")
    func upstreamUser() async throws {
        let server = try await TestServer.start(realms: Self.realm)
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            let token = try await Self.upstreamUserToken(server, client)
            let bearer: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]

            let passport = try await client.call(.post, "/realms/test/agents/agent-two/passport", token: nil,
                                                 body: "{}", headers: bearer)
            #expect(passport.status == 403)
            #expect(passport.object["error"] as? String == "insufficient_scope")
            #expect(passport.object["error_description"] as? String == Self.anAgentCredential)
            let caller = try await client.call(.post, Self.gate, token: nil,
                                               body: #"{"agent_id":"agent-zero","mcp_server_id":"docs-mcp","tool_name":"read"}"#,
                                               headers: bearer)
            #expect(caller.status == 401)
            #expect(caller.object["error"] as? String == "invalid_token")
            #expect(caller.object["error_description"] as? String == Self.anAgentCredential)
            let report = try await client.call(.post, "/realms/test/agents/agent-zero/events", token: nil,
                                               body: #"{"outcome":"success","reference":"r1"}"#, headers: bearer)
            #expect(report.status == 401)

            let introspected = try await Lifecycle.form(client, Self.introspect, "token=\(token)", as: "zero-bot").object
            #expect(introspected["active"] as? Bool == true)
            #expect(introspected["idp"] as? String == Self.idp)
            #expect(introspected["sub"] as? String == "agent-two")

            func judged(_ server: String, _ tool: String) async throws -> [String: Any] {
                try await Lifecycle.json(client, Self.gate, #"{"token":"\#(token)","mcp_server_id":"\#(server)","tool_name":"\#(tool)"}"#,
                                         as: "zero-bot").object
            }
            let read = try await judged("docs-mcp", "read")
            #expect(read["decision"] as? String == "ALLOW", "\(read)")
            #expect(read["agent_id"] as? String == "agent-four")
            #expect(read["on_behalf_of"] as? String == "agent-two")
            #expect(read["idp"] as? String == Self.idp)
            #expect(read["trust_level"] as? Int == 1)  // the token's level, not agent-four's L4
            let query = try await judged("database-mcp", "query")
            #expect(query["decision"] as? String == "DENY")
            #expect(query["checks_failed"] as? [String] == ["trust"])

            // Stopping the local agent that shares the user's id changes nothing: the user is
            // never looked up as an agent.
            let adminToken = try await admin.token(client)
            #expect(try await client.call(.post, "/admin/realms/test/agents/agent-two/kill", token: adminToken,
                                          body: #"{"reason":"unrelated"}"#).status == 200)
            #expect(try await Lifecycle.form(client, Self.introspect, "token=\(token)", as: "zero-bot")
                .object["active"] as? Bool == true)
            #expect(try await judged("docs-mcp", "read")["decision"] as? String == "ALLOW")

            // Killing the acting agent stops the token on the next request, everywhere.
            #expect(try await client.call(.post, "/admin/realms/test/agents/agent-four/kill", token: adminToken,
                                          body: #"{"reason":"compromised"}"#).status == 200)
            let inactive = try await Lifecycle.form(client, Self.introspect, "token=\(token)", as: "zero-bot").object
            #expect(inactive["active"] as? Bool == false && inactive.count == 1)
            let denied = try await judged("docs-mcp", "read")
            #expect(denied["decision"] as? String == "DENY")
            #expect((denied["checks_failed"] as? [String])?.contains("status") == true)
            #expect(denied["agent_id"] as? String == "agent-four")
            let exchanged = try await TokenExchangeTests.exchange(client, token, as: "zero-bot")
            #expect(exchanged.status == 400 && exchanged.object["error"] as? String == "invalid_grant")
            #expect(exchanged.object["error_description"] as? String
                == "subject_token: agent agent-four, which acts in this token, is stopped")
        }
    }

    @Test("a token exchanged for a peer's agent is no caller credential either")
    func peerAgentCaller() async throws {
        let server = try await TestServer.start(realms: Self.realm)
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            var claims = JWTParts.claims(try #require(try await Lifecycle.token(client)))
            claims["federated_from"] = "https://peer.example/realms/globex"
            claims["act"] = ["sub": "agent-four", "client_id": "four-bot"]
            claims["client_id"] = "four-bot"
            let runtime = try #require(server.herald.registry.runtime(named: "test"))
            let signer = try #require(runtime.keyRing.signer(for: runtime.config.signingAlgorithm))
            let token = try signer.sign(claims: Array(JSONSerialization.data(withJSONObject: claims)), typ: "at+jwt")
            let report = try await client.call(.post, "/realms/test/agents/agent-zero/events", token: nil,
                                               body: #"{"outcome":"success","reference":"r1"}"#,
                                               headers: [.authorization: "Bearer \(token)", .contentType: "application/json"])
            #expect(report.status == 401 && report.object["error"] as? String == "invalid_token")
            #expect(report.object["error_description"] as? String == "this token was exchanged for agent agent-two of "
                + "federation peer https://peer.example/realms/globex; it is not an agent credential of this realm: use "
                + "the agent's own token")
        }
    }

    @Test("a killed actor stops the tokens delegated to it, as it stops its own")
    func killedActor() async throws {
        let server = try await TestServer.start(realms: Self.realm)
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            let subject = try #require(try await Lifecycle.token(client))  // agent-two
            let delegated = try #require(try await TokenExchangeTests.exchange(client, subject, as: "four-bot")
                .object["access_token"] as? String)
            let byToken = #"{"token":"\#(delegated)","mcp_server_id":"docs-mcp","tool_name":"read"}"#
            #expect(try await Lifecycle.json(client, Self.gate, byToken, as: "zero-bot").object["decision"] as? String
                == "ALLOW")

            let adminToken = try await admin.token(client)
            #expect(try await client.call(.post, "/admin/realms/test/agents/agent-four/kill", token: adminToken,
                                          body: #"{"reason":"compromised"}"#).status == 200)
            let stopped = "agent agent-four, which acts in this token, is stopped"
            #expect(try await Lifecycle.form(client, Self.introspect, "token=\(delegated)", as: "zero-bot")
                .object["active"] as? Bool == false)
            let decision = try await Lifecycle.json(client, Self.gate, byToken, as: "zero-bot").object
            #expect(decision["decision"] as? String == "DENY")
            #expect(decision["reason"] as? String == stopped)
            let bearer: HTTPFields = [.authorization: "Bearer \(delegated)", .contentType: "application/json"]
            let passport = try await client.call(.post, "/realms/test/agents/agent-two/passport", token: nil,
                                                 body: "{}", headers: bearer)
            #expect(passport.status == 403 && passport.object["error"] as? String == "access_denied")
            #expect(passport.object["error_description"] as? String == "no passport for agent agent-two: \(stopped)")
            let caller = try await client.call(.post, Self.gate, token: nil,
                                               body: #"{"agent_id":"agent-zero","mcp_server_id":"docs-mcp","tool_name":"read"}"#,
                                               headers: bearer)
            #expect(caller.status == 403 && caller.object["error_description"] as? String == stopped)
            let exchanged = try await TokenExchangeTests.exchange(client, delegated, as: "zero-bot")
            #expect(exchanged.object["error_description"] as? String == "subject_token: \(stopped)")
            // The subject's own token is untouched by its actor's kill.
            #expect(try await Lifecycle.form(client, Self.introspect, "token=\(subject)", as: "zero-bot")
                .object["active"] as? Bool == true)

            _ = try await client.call(.post, "/admin/realms/test/agents/agent-four/revive", token: adminToken)
            #expect(try await Lifecycle.form(client, Self.introspect, "token=\(delegated)", as: "zero-bot")
                .object["active"] as? Bool == true)
        }
    }
}

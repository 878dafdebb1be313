import Foundation
import HeraldJOSE
import HeraldServer
import HeraldTesting
import Hummingbird
import HummingbirdTesting
import Testing

/// Server-side regressions of the attack corpus (Tests/interop/test_attacks_*.py); the
/// federation cases need a peer and are covered there only.
@Suite("Attack corpus regressions")
struct AttackRegressionTests {
    /// `token` with its payload replaced, the signature kept.
    static func withClaims(_ token: String, _ change: (inout [String: Any]) -> Void) throws -> String {
        let parts = token.split(separator: ".").map(String.init)
        var claims = JWTParts.claims(token)
        change(&claims)
        let payload = try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys])
        return parts[0] + "." + Base64URL.encode(Array(payload)) + "." + parts[2]
    }

    @Test("an admin token revoked by its client (RFC 7009) no longer administers")
    func revokedAdminToken() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            let token = try await admin.token(client)
            #expect(try await client.call(.get, "/admin/realms", token: token).status == 200)
            let basic = "Basic " + Data("\(admin.clientID):\(admin.secret)".utf8).base64EncodedString()
            let revoked = try await client.call(.post, "/realms/master/protocol/openid-connect/revoke", token: nil,
                                                body: "token=\(token)",
                                                headers: [.contentType: "application/x-www-form-urlencoded",
                                                          .authorization: basic])
            #expect(revoked.status == 200)
            let refused = try await client.call(.get, "/admin/realms", token: token)
            #expect(refused.status == 401)
            #expect(refused.object["error_description"] as? String == "the token has been revoked")
            #expect(try await client.call(.get, "/admin/realms", token: try await admin.token(client)).status == 200)
        }
    }

    @Test("an altered token of this realm at token exchange: invalid_grant naming the signature, not the issuer")
    func alteredSubjectToken() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            let subject = try #require(try await Lifecycle.token(client))
            let forged = try Self.withClaims(subject) { $0["sub"] = "agent-four" }
            let reply = try await TokenExchangeTests.exchange(client, forged, as: "four-bot")
            #expect(reply.status == 400 && reply.object["error"] as? String == "invalid_grant")
            #expect(reply.object["error_description"] as? String == "subject_token: the token is not signed by realm test")
        }
    }

    @Test("an MCP gate body naming a member twice is 400 invalid_request")
    func gateDuplicateMembers() async throws {
        let server = try await TestServer.start(realms: Lifecycle.realm(Lifecycle.tools))
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            let body = #"{"agent_id":"agent-zero","agent_id":"agent-four","mcp_server_id":"database-mcp","tool_name":"query"}"#
            let reply = try await Lifecycle.json(client, "/realms/test/mcp/verify", body, as: "zero-bot")
            #expect(reply.status == 400 && reply.object["error"] as? String == "invalid_request")
            #expect((reply.object["error_description"] as? String)?.contains("duplicate member name") == true)
        }
    }

    @Test("/api/verify answers for the id as the client wrote it, percent-decoded")
    func apiVerifyDecodesTheID() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            let reply = try await client.call(.get, "/realms/test/api/verify/asp_%27%20x", token: nil)
            #expect(reply.status == 200)
            #expect(reply.object["passport_id"] as? String == "asp_' x")
            #expect(reply.object["status"] as? String == "UNKNOWN")
        }
    }
}

import Foundation
import HeraldServer
import HeraldTesting
import Hummingbird
import HummingbirdTesting
import Testing

/// Found by schemathesis: an `agent_id` that was not a string (`4.9e16`) was answered 200
/// DENY, as if an identity had been checked, instead of refused as a malformed request.
@Suite("MCP gate requests")
struct MCPGateRequestTests {
    @Test("an identity member of the wrong type is 400 invalid_request, and no decision is audited")
    func wrongTypes() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            for (member, message) in [(#""agent_id": 4.9e16"#, "agent_id must be a non-empty string"),
                                      (#""agent_id": """#, "agent_id must be a non-empty string"),
                                      (#""agent_id": null"#, "agent_id must be a non-empty string"),
                                      (#""token": 5"#, "token must be a string"),
                                      (#""token": ["a"]"#, "token must be a string"),
                                      (#""passport": true"#, "passport must be a JWT string or an MCPS passport object")] {
                let body = #"{"mcp_server_id": "database-mcp", "tool_name": "query", \#(member)}"#
                let reply = try await Lifecycle.json(client, "/realms/test/mcp/verify", body, as: "zero-bot")
                #expect(reply.status == 400, "\(member)")
                #expect(reply.object["error"] as? String == "invalid_request", "\(member)")
                #expect(reply.object["error_description"] as? String == message, "\(member)")
            }
            // A well-formed request about an unknown agent is still a decision: 200 DENY.
            let unknown = try await Lifecycle.json(client, "/realms/test/mcp/verify",
                                                   #"{"mcp_server_id": "database-mcp", "tool_name": "query", "agent_id": "nobody"}"#,
                                                   as: "zero-bot")
            #expect(unknown.status == 200)
            #expect(unknown.object["decision"] as? String == "DENY")
            let token = try await admin.token(client)
            let audit = try await client.call(.get, "/admin/realms/test/audit?type=mcp.decision", token: token)
            #expect((audit.object["entries"] as? [[String: Any]])?.count == 1, "only the well-formed request was decided")
        }
    }
}

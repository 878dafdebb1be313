import Foundation
import HeraldAPI
import HeraldCore
import Testing

/// The request bodies of the public endpoints: what each takes, and the message of each
/// refusal (the server answers it as 400 `invalid_request`, word for word).
@Suite("Request bodies")
struct RequestBodyTests {
    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    /// The ``BodyError`` message decoding `json` gives, or nil when it decodes.
    func refusal<T: Decodable>(_ type: T.Type, _ json: String) -> String? {
        do { _ = try decode(type, json); return nil } catch let error as BodyError { return error.message } catch {
            return "not a BodyError: \(error)"
        }
    }

    @Test("MCP gate: exactly one identity, each of its type; the tool members non-empty strings")
    func gateRequest() throws {
        let tool = #""mcp_server_id": "database-mcp", "tool_name": "query""#
        let byID = try decode(MCPGateRequest.self, "{\(tool), \"agent_id\": \"a1\", \"extra\": [1]}")
        #expect(byID == MCPGateRequest(mcpServerID: "database-mcp", toolName: "query", subject: .agentID("a1")))
        #expect(byID.tool == "database-mcp/query")
        #expect(try decode(MCPGateRequest.self, "{\(tool), \"token\": \"\"}").subject == .token(""))
        #expect(try decode(MCPGateRequest.self, "{\(tool), \"passport\": \"e.y.z\"}").subject == .passport(.jwt("e.y.z")))
        let mcps = try decode(MCPGateRequest.self, "{\(tool), \"passport\": {\"trust_level\": 2, \"scan\": null}}")
        #expect(mcps.subject == .passport(.mcps(["trust_level": .int(2), "scan": .null])))

        let cases: [(String, String)] = [
            (#"{"tool_name": "query", "agent_id": "a"}"#, "mcp_server_id must be a non-empty string"),
            (#"{"mcp_server_id": 3, "tool_name": "query", "agent_id": "a"}"#, "mcp_server_id must be a non-empty string"),
            (#"{"mcp_server_id": "", "tool_name": "query", "agent_id": "a"}"#, "mcp_server_id must be a non-empty string"),
            (#"{"mcp_server_id": "db", "agent_id": "a"}"#, "tool_name must be a non-empty string"),
            ("{\(tool)}", "send exactly one of agent_id, token or passport"),
            ("{\(tool), \"agent_id\": \"a\", \"token\": \"t\"}", "send exactly one of agent_id, token or passport"),
            ("{\(tool), \"agent_id\": null, \"token\": \"t\"}", "send exactly one of agent_id, token or passport"),
            ("{\(tool), \"agent_id\": 4.9e16}", "agent_id must be a non-empty string"),
            ("{\(tool), \"agent_id\": \"\"}", "agent_id must be a non-empty string"),
            ("{\(tool), \"agent_id\": null}", "agent_id must be a non-empty string"),
            ("{\(tool), \"token\": 5}", "token must be a string"),
            ("{\(tool), \"token\": null}", "token must be a string"),
            ("{\(tool), \"token\": [\"a\"]}", "token must be a string"),
            ("{\(tool), \"passport\": true}", "passport must be a JWT string or an MCPS passport object"),
            ("{\(tool), \"passport\": [\"a\"]}", "passport must be a JWT string or an MCPS passport object"),
        ]
        for (json, message) in cases { #expect(refusal(MCPGateRequest.self, json) == message, "\(json)") }
    }

    @Test("MCP gate request round-trips through its encoder")
    func gateRequestRoundTrip() throws {
        for subject: MCPGateRequest.Subject in [.agentID("a"), .token("t"), .passport(.jwt("j")),
                                                .passport(.mcps(["a": .array([.bool(true), .double(1.5)])]))] {
            let request = MCPGateRequest(mcpServerID: "s", toolName: "t", subject: subject)
            #expect(try JSONDecoder().decode(MCPGateRequest.self, from: JSONEncoder().encode(request)) == request)
        }
    }

    @Test("passport: every member optional, null as absent, agent's members win; wrong types named")
    func passportRequest() throws {
        let empty = try decode(PassportRequest.self, "{}")
        #expect(empty == PassportRequest())
        #expect(try decode(PassportRequest.self, #"{"version": null, "agent": null}"#) == PassportRequest())
        let full = try decode(PassportRequest.self, #"""
            {"public_key": {"kty": "EC"}, "version": "1", "capabilities": ["a"], "origin": "https://o.test",
             "agent": {"version": "2", "capabilities": ["b", "c"]}, "other": 1}
            """#)
        #expect(full.publicKey == ["kty": .string("EC")])
        #expect(full.requestedVersion == "2")
        #expect(full.requestedCapabilities == ["b", "c"])
        #expect(full.origin == "https://o.test")
        let top = try decode(PassportRequest.self, #"{"version": "1", "capabilities": ["a"], "agent": {}}"#)
        #expect(top.requestedVersion == "1")
        #expect(top.requestedCapabilities == ["a"])

        let cases: [(String, String)] = [
            (#"{"public_key": "AAAA"}"#, "public_key must be a JWK object"),
            (#"{"public_key": [1]}"#, "public_key must be a JWK object"),
            (#"{"version": 2}"#, "version must be a string"),
            (#"{"capabilities": "a,b"}"#, "capabilities must be a list of strings"),
            (#"{"capabilities": ["a", 1]}"#, "capabilities must be a list of strings"),
            (#"{"origin": true}"#, "origin must be a string"),
            (#"{"agent": "bot"}"#, "agent must be an object with version and capabilities"),
            (#"{"agent": {"version": 1}}"#, "agent.version must be a string"),
            (#"{"agent": {"capabilities": [null]}}"#, "agent.capabilities must be a list of strings"),
        ]
        for (json, message) in cases { #expect(refusal(PassportRequest.self, json) == message, "\(json)") }
    }

    @Test("agent events: outcome one of three, reference a non-empty string of at most 512 bytes")
    func agentEventRequest() throws {
        #expect(try decode(AgentEventRequest.self, #"{"outcome": "anomaly", "reference": "r-1", "x": 0}"#)
            == AgentEventRequest(outcome: .anomaly, reference: "r-1"))
        let long = String(repeating: "é", count: 257)
        let cases: [(String, String)] = [
            (#"{"reference": "r"}"#, "outcome must be a non-empty string"),
            (#"{"outcome": 1, "reference": "r"}"#, "outcome must be a non-empty string"),
            (#"{"outcome": "maybe", "reference": "r"}"#, "outcome must be success, failure or anomaly, not maybe"),
            (#"{"outcome": "success"}"#, "reference must be a non-empty string"),
            (#"{"outcome": "success", "reference": ""}"#, "reference must be a non-empty string"),
            (#"{"outcome": "success", "reference": null}"#, "reference must be a non-empty string"),
            ("{\"outcome\": \"success\", \"reference\": \"\(long)\"}", "reference is longer than 512 bytes"),
        ]
        for (json, message) in cases { #expect(refusal(AgentEventRequest.self, json) == message, "\(json)") }
    }
}

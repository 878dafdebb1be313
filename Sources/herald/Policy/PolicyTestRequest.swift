import Foundation
import HeraldCore
import HeraldServices

/// The request file of `herald policy test`: a JSON object naming who asks and for what, read
/// strictly (an unknown member is an error, with the members that are taken).
enum PolicyTestRequest {
    struct Problem: Error { let message: String }

    static let members: Set<String> = ["on", "agent", "org", "level", "score", "stage", "delegation_depth", "time",
                                       "authorization_details", "mcp_server_id", "tool_name", "type", "action",
                                       "resource", "location", "amount", "currency"]

    static func parse(_ data: Data) throws -> PolicyRequest {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw Problem(message: "must be a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !members.contains($0) }) {
            throw Problem(message: "member \(unknown) is not taken; use \(members.sorted().joined(separator: ", "))")
        }
        func text(_ name: String) throws -> String? {
            guard let value = object[name] else { return nil }
            guard let text = value as? String else { throw Problem(message: "\(name) must be a string") }
            return text
        }
        func whole(_ name: String) throws -> Int? {
            guard let value = object[name] else { return nil }
            guard let number = value as? Int else { throw Problem(message: "\(name) must be a whole number") }
            return number
        }
        let kind = try text("on").map { name in
            guard let kind = PolicyRequest.Kind(rawValue: name) else {
                throw Problem(message: "on must be capability or gate, not \(name)")
            }
            return kind
        } ?? (object["mcp_server_id"] != nil ? .gate : .capability)
        guard let agent = try text("agent") else { throw Problem(message: "agent is missing (the agent's id)") }
        var level = TrustLevel.l0
        if let value = object["level"] {
            if let name = value as? String, let parsed = TrustLevel(name: name) { level = parsed }
            else if let number = value as? Int, let parsed = TrustLevel(rawValue: number) { level = parsed }
            else { throw Problem(message: "level must be L0…L4 (or 0…4)") }
        }
        var time = Date()
        if let value = try text("time") {
            guard let parsed = ISO8601DateFormatter().date(from: value) else {
                throw Problem(message: "time must be ISO 8601, e.g. 2026-12-03T14:30:00Z")
            }
            time = parsed
        }
        var request = PolicyRequest(kind: kind, agent: agent, org: try text("org"), level: level,
                                    score: try whole("score"), stage: try text("stage"),
                                    delegationDepth: try whole("delegation_depth") ?? 0, time: time)
        if let details = object["authorization_details"] {
            let json = try JSONSerialization.data(withJSONObject: details)
            let detail: AuthorizationDetail
            do { detail = try AuthorizationDetailParser.parse(String(decoding: json, as: UTF8.self)) } catch {
                throw Problem(message: error.message)
            }
            request = PolicyRequest(capability: detail, agent: agent, org: request.org, level: level,
                                    score: request.score, stage: request.stage,
                                    delegationDepth: request.delegationDepth, time: time)
        } else if let server = try text("mcp_server_id") {
            guard let tool = try text("tool_name") else { throw Problem(message: "mcp_server_id needs tool_name") }
            (request.type, request.action, request.resource, request.location) = ("mcp", tool, "\(server)/\(tool)", server)
        } else {
            request.type = try text("type")
            request.action = try text("action")
            request.resource = try text("resource")
            request.location = try text("location")
            request.currency = try text("currency")
            if let amount = try text("amount") {
                guard let value = Decimal(string: amount, locale: Locale(identifier: "en_US_POSIX")) else {
                    throw Problem(message: "amount must be a decimal number as a string, e.g. \"125.50\"")
                }
                request.amount = value
            }
        }
        return request
    }
}

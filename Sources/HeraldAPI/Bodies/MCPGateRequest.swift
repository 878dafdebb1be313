/// The body of `POST {issuer}/mcp/verify` (wire-formats §6): may the agent named by exactly
/// one of `agent_id`, `token` or `passport` call `tool_name` of `mcp_server_id`?
///
/// A member of the wrong type is a ``BodyError`` (the server's 400), never an identity that
/// was checked and failed. Members the gate does not read are ignored.
public struct MCPGateRequest: Sendable, Hashable, Codable {
    /// How the request names the agent.
    public enum Subject: Sendable, Hashable {
        /// An agent id of the realm (or of a peer's bundle).
        case agentID(String)
        /// An access token: this realm's, or a federation peer's.
        case token(String)
        case passport(Passport)
    }

    /// A presented passport (wire-formats §4).
    public enum Passport: Sendable, Hashable {
        /// A JWT passport (compact JWS).
        case jwt(String)
        /// An MCPS passport object, as the agent holds it (its signature covers the members).
        case mcps([String: OpaqueJSON])
    }

    public var mcpServerID: String
    public var toolName: String
    public var subject: Subject

    public init(mcpServerID: String, toolName: String, subject: Subject) {
        self.mcpServerID = mcpServerID
        self.toolName = toolName
        self.subject = subject
    }

    /// `<mcp_server_id>/<tool_name>`, the key of the realm's `tools` table.
    public var tool: String { "\(mcpServerID)/\(toolName)" }

    enum CodingKeys: String, CodingKey {
        case mcpServerID = "mcp_server_id"
        case toolName = "tool_name"
        case agentID = "agent_id"
        case token, passport
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mcpServerID = try container.requiredNonEmptyString(.mcpServerID)
        toolName = try container.requiredNonEmptyString(.toolName)
        // A member that is present counts, even as null: `{"agent_id": null, "token": …}`
        // names two identities, and a null one is the wrong type, not a missing one.
        let presented = [CodingKeys.agentID, .token, .passport].filter { container.contains($0) }
        guard presented.count == 1 else { throw BodyError("send exactly one of agent_id, token or passport") }
        switch presented[0] {
        case .agentID:
            subject = .agentID(try container.requiredNonEmptyString(.agentID))
        case .token:
            let token: String? = try container.bodyMember(.token, "a string", nullIsAbsent: false)
            guard let token else { throw BodyError("token must be a string") }
            subject = .token(token)
        default:
            let message = "passport must be a JWT string or an MCPS passport object"
            if let jwt = try? container.decode(String.self, forKey: .passport) {
                subject = .passport(.jwt(jwt))
            } else if let object = try? container.decode([String: OpaqueJSON].self, forKey: .passport) {
                subject = .passport(.mcps(object))
            } else {
                throw BodyError(message)
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(mcpServerID, forKey: .mcpServerID)
        try container.encode(toolName, forKey: .toolName)
        switch subject {
        case .agentID(let id): try container.encode(id, forKey: .agentID)
        case .token(let token): try container.encode(token, forKey: .token)
        case .passport(.jwt(let jwt)): try container.encode(jwt, forKey: .passport)
        case .passport(.mcps(let object)): try container.encode(object, forKey: .passport)
        }
    }
}

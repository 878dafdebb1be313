/// The body of `POST {issuer}/agents/{id}/passport` (wire-formats §4), every member
/// optional (an empty body is `{}`): the key to bind (`public_key`, an EC P-256 public JWK;
/// default: the agent's registered key), the agent's `version` and `capabilities` (at the
/// top or inside `agent`, which wins), and for MCPS the `origin`.
///
/// A member of the wrong type is a ``BodyError``; null is taken as absent.
public struct PassportRequest: Sendable, Hashable, Codable {
    /// The `agent` member.
    public struct Agent: Sendable, Hashable, Codable {
        public var version: String?
        public var capabilities: [String]?

        public init(version: String? = nil, capabilities: [String]? = nil) {
            self.version = version
            self.capabilities = capabilities
        }

        enum CodingKeys: String, CodingKey { case version, capabilities }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            version = try container.bodyMember(.version, "a string", path: "agent.")
            capabilities = try container.bodyMember(.capabilities, "a list of strings", path: "agent.")
        }
    }

    /// The JWK's members, as sent.
    public var publicKey: [String: OpaqueJSON]?
    public var agent: Agent?
    public var version: String?
    public var capabilities: [String]?
    public var origin: String?

    public init(publicKey: [String: OpaqueJSON]? = nil, agent: Agent? = nil, version: String? = nil,
                capabilities: [String]? = nil, origin: String? = nil) {
        self.publicKey = publicKey
        self.agent = agent
        self.version = version
        self.capabilities = capabilities
        self.origin = origin
    }

    /// The version asked for: `agent.version`, else `version`.
    public var requestedVersion: String? { agent?.version ?? version }
    /// The capabilities asked for: `agent.capabilities`, else `capabilities`.
    public var requestedCapabilities: [String]? { agent?.capabilities ?? capabilities }

    enum CodingKeys: String, CodingKey {
        case publicKey = "public_key"
        case agent, version, capabilities, origin
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        publicKey = try container.bodyMember(.publicKey, "a JWK object")
        agent = try container.bodyMember(.agent, "an object with version and capabilities")
        version = try container.bodyMember(.version, "a string")
        capabilities = try container.bodyMember(.capabilities, "a list of strings")
        origin = try container.bodyMember(.origin, "a string")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(publicKey, forKey: .publicKey)
        try container.encodeIfPresent(agent, forKey: .agent)
        try container.encodeIfPresent(version, forKey: .version)
        try container.encodeIfPresent(capabilities, forKey: .capabilities)
        try container.encodeIfPresent(origin, forKey: .origin)
    }
}

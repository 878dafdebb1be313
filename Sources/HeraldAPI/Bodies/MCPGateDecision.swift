/// The answer of `POST {issuer}/mcp/verify` (wire-formats §6), always 200: the decision, the
/// agent it is about, its level and score here, the checks that passed and failed, and why.
/// Every member is always present; those without a value are null.
public struct MCPGateDecision: Sendable, Hashable, Codable {
    public enum Verdict: String, Sendable, Hashable, Codable {
        case allow = "ALLOW"
        case deny = "DENY"
    }

    public var decision: Verdict
    public var agentID: String?
    /// The level granted here (0…4).
    public var trustLevel: Int?
    public var trustScore: Int?
    /// Of `identity`, `status`, `pipeline`, `trust`.
    public var checksPassed: [String]
    public var checksFailed: [String]
    public var reason: String
    /// The peer vouching for a foreign agent.
    public var federatedFrom: String?
    /// For a token exchanged for an upstream IdP's user: that IdP's issuer.
    public var idp: String?
    /// For a token with `idp`: the upstream user (the token's `sub`).
    public var onBehalfOf: String?

    public init(decision: Verdict, agentID: String?, trustLevel: Int?, trustScore: Int?, checksPassed: [String],
                checksFailed: [String], reason: String, federatedFrom: String? = nil, idp: String? = nil,
                onBehalfOf: String? = nil) {
        self.decision = decision
        self.agentID = agentID
        self.trustLevel = trustLevel
        self.trustScore = trustScore
        self.checksPassed = checksPassed
        self.checksFailed = checksFailed
        self.reason = reason
        self.federatedFrom = federatedFrom
        self.idp = idp
        self.onBehalfOf = onBehalfOf
    }

    enum CodingKeys: String, CodingKey {
        case decision
        case agentID = "agent_id"
        case trustLevel = "trust_level"
        case trustScore = "trust_score"
        case checksPassed = "checks_passed"
        case checksFailed = "checks_failed"
        case reason
        case federatedFrom = "federated_from"
        case idp
        case onBehalfOf = "on_behalf_of"
    }

    /// Written member by member: the optional members are null, not left out (the
    /// synthesized encoder would omit them, and the contract lists them as required).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(decision, forKey: .decision)
        try container.encode(agentID, forKey: .agentID)
        try container.encode(trustLevel, forKey: .trustLevel)
        try container.encode(trustScore, forKey: .trustScore)
        try container.encode(checksPassed, forKey: .checksPassed)
        try container.encode(checksFailed, forKey: .checksFailed)
        try container.encode(reason, forKey: .reason)
        try container.encode(federatedFrom, forKey: .federatedFrom)
        try container.encode(idp, forKey: .idp)
        try container.encode(onBehalfOf, forKey: .onBehalfOf)
    }
}

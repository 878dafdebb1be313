/// The answer (202) of `POST {issuer}/agents/{id}/events`: the report as taken and the
/// agent's trust score after it.
public struct AgentEventResponse: Sendable, Hashable, Codable {
    public var agentID: String
    public var outcome: String
    public var reference: String
    public var trustScore: Int

    public init(agentID: String, outcome: String, reference: String, trustScore: Int) {
        self.agentID = agentID
        self.outcome = outcome
        self.reference = reference
        self.trustScore = trustScore
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id"
        case outcome, reference
        case trustScore = "trust_score"
    }
}

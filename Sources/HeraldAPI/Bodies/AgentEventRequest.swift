import HeraldCore

/// The body of `POST {issuer}/agents/{id}/events`: how an agent's action turned out
/// (`outcome`: success, failure or anomaly) and what it was (`reference`, at most
/// ``maxReferenceBytes`` bytes), both required.
public struct AgentEventRequest: Sendable, Hashable, Codable {
    /// Longest `reference`, in UTF-8 bytes.
    public static let maxReferenceBytes = 512

    public var outcome: OutcomeKind
    public var reference: String

    public init(outcome: OutcomeKind, reference: String) {
        self.outcome = outcome
        self.reference = reference
    }

    enum CodingKeys: String, CodingKey { case outcome, reference }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.requiredNonEmptyString(.outcome)
        guard let outcome = OutcomeKind(rawValue: name) else {
            throw BodyError("outcome must be success, failure or anomaly, not \(name)")
        }
        self.outcome = outcome
        reference = try container.requiredNonEmptyString(.reference)
        guard reference.utf8.count <= Self.maxReferenceBytes else {
            throw BodyError("reference is longer than \(Self.maxReferenceBytes) bytes")
        }
    }
}

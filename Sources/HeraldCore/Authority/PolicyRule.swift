/// One rule of a ``PolicySet``: when every condition holds for a request, `effect` decides it.
/// A rule without conditions matches every request.
public struct PolicyRule: Sendable, Hashable, Codable {
    /// Unique in the realm; a decision names it.
    public var name: String
    public var effect: PolicyEffect
    public var conditions: [PolicyCondition]
    /// Said to the agent with a denial (and kept in the audit entry).
    public var reason: String?
    /// The rule's line in the realm file it came from, for explanations; nil when unknown.
    public var line: Int?

    public init(name: String, effect: PolicyEffect, conditions: [PolicyCondition] = [], reason: String? = nil,
                line: Int? = nil) {
        self.name = name
        self.effect = effect
        self.conditions = conditions
        self.reason = reason
        self.line = line
    }
}

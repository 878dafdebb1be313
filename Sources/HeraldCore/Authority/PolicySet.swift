/// A realm's action policy, the realm file's `policy` section (docs/action-authority.md):
/// rules in file order, the first whose conditions all hold decides; `default` decides when
/// none does. Evaluated on every capability request and at the MCP gate.
public struct PolicySet: Sendable, Hashable, Codable {
    public var defaultEffect: PolicyEffect
    public var rules: [PolicyRule]

    public init(defaultEffect: PolicyEffect = .allow, rules: [PolicyRule] = []) {
        self.defaultEffect = defaultEffect
        self.rules = rules
    }
}

/// What a policy rule (or the default) decides.
public enum PolicyEffect: String, Sendable, Hashable, Codable, CaseIterable {
    case allow, deny
}

import HeraldCore

/// What a ``PolicySet`` decided about a request, which rule decided it, and (when asked for)
/// how each rule fared on the way.
package struct PolicyDecision: Sendable, Hashable {
    package let effect: PolicyEffect
    /// The rule that decided; nil when none matched and the default applied.
    package let rule: PolicyRule?
    /// Each rule tried, in order, up to the one that decided (only when explaining).
    package let trace: [Step]

    /// One rule tried: matched, or the first condition that did not hold and why.
    package struct Step: Sendable, Hashable {
        package let rule: PolicyRule
        /// Nil when every condition held.
        package let failed: String?
    }

    /// The deciding rule's name, or `default`.
    package var ruleName: String { rule?.name ?? "default" }

    /// The explanation a denial carries: the rule, and its reason.
    package var description: String {
        guard let rule else { return "no policy rule matched; the realm's policy default is \(effect.rawValue)" }
        let said = rule.reason.map { ": \($0)" } ?? ""
        return "\(effect == .deny ? "denied" : "allowed") by policy rule \(rule.name)\(said)"
    }
}

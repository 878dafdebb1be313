import Foundation
import HeraldCore
@testable import HeraldServices
import Testing

/// The policy rule language (docs/action-authority.md): first matching rule decides, a
/// denial names its rule, a field the request lacks never matches, time windows wrap midnight.
@Suite("Policy evaluator")
struct PolicyEvaluatorTests {
    static let noon = Date(timeIntervalSince1970: 1_796_299_200)  // 2026-12-03T12:00:00Z

    static let policy = PolicySet(defaultEffect: .allow, rules: [
        PolicyRule(name: "night", effect: .deny,
                   conditions: [PolicyCondition(.time, .timeOfDay(from: 22 * 60, to: 6 * 60, zone: "UTC"))]),
        PolicyRule(name: "big-payments", effect: .deny,
                   conditions: [PolicyCondition(.amount, .compare([.init(.gt, 1000)])),
                                PolicyCondition(.level, .compare([.init(.lt, 4)]))],
                   reason: "payments above 1000 need L4"),
        PolicyRule(name: "no-writes", effect: .deny, conditions: [PolicyCondition(.action, .anyOf(["write*"]))]),
    ])

    static func payment(_ amount: String, level: TrustLevel, at time: Date = noon) -> PolicyRequest {
        PolicyRequest(capability: AuthorizationDetail(type: "payment", action: "initiate", location: "https://p.test",
                                                      identifier: "i", amount: amount, currency: "EUR"),
                      agent: "a", org: nil, level: level, score: 50, stage: "ACTIVE", delegationDepth: 0, time: time)
    }

    @Test("a denial names its rule and reason; below the bound or at L4 the default allows")
    func amountAndLevel() {
        let denied = PolicyEvaluator.evaluate(Self.policy, Self.payment("1500", level: .l3))
        #expect(denied.effect == .deny && denied.ruleName == "big-payments")
        #expect(denied.description.contains("payments above 1000 need L4"))
        #expect(PolicyEvaluator.evaluate(Self.policy, Self.payment("999.99", level: .l3)).effect == .allow)
        #expect(PolicyEvaluator.evaluate(Self.policy, Self.payment("1500", level: .l4)).ruleName == "default")
    }

    @Test("time windows wrap midnight; globs match; explain records why each rule did not match")
    func timeGlobAndTrace() {
        let night = Self.noon + 11 * 3600  // 23:00
        #expect(PolicyEvaluator.evaluate(Self.policy, Self.payment("1", level: .l4, at: night)).ruleName == "night")
        let write = PolicyRequest(kind: .gate, agent: "a", level: .l4, action: "write_rows", time: Self.noon)
        let decision = PolicyEvaluator.evaluate(Self.policy, write, explain: true)
        #expect(decision.ruleName == "no-writes")
        #expect(decision.trace.map(\.rule.name) == ["night", "big-payments", "no-writes"])
        #expect(decision.trace[1].failed == "the request has no amount")
        #expect(Glob.matches("a*c*e", "abcde") && !Glob.matches("a*c", "abcd") && Glob.matches("*", ""))
    }
}

import Foundation
import HeraldCore

/// Evaluates a realm's ``PolicySet`` (docs/action-authority.md): the rules in order, the
/// first whose conditions all hold decides; none matching, the default decides. Pure and
/// cheap (no I/O, a few comparisons per rule), so it runs on every request.
package enum PolicyEvaluator {
    /// The decision about `request`; `explain` records every rule tried and why it did not
    /// match (for `herald policy test`).
    package static func evaluate(_ policy: PolicySet, _ request: PolicyRequest, explain: Bool = false)
        -> PolicyDecision
    {
        var trace: [PolicyDecision.Step] = []
        for rule in policy.rules {
            let failed = firstFailure(rule, request)
            if explain { trace.append(.init(rule: rule, failed: failed)) }
            if failed == nil { return PolicyDecision(effect: rule.effect, rule: rule, trace: trace) }
        }
        return PolicyDecision(effect: policy.defaultEffect, rule: nil, trace: trace)
    }

    /// Why `rule` does not match `request` (its first condition that fails), nil when it does.
    static func firstFailure(_ rule: PolicyRule, _ request: PolicyRequest) -> String? {
        for condition in rule.conditions {
            if let failure = failure(condition, request) { return failure }
        }
        return nil
    }

    private static func failure(_ condition: PolicyCondition, _ request: PolicyRequest) -> String? {
        let name = condition.field.rawValue
        switch condition.test {
        case .anyOf(let patterns):
            guard let text = request.text(condition.field) else { return "the request has no \(name)" }
            if patterns.contains(where: { Glob.matches($0, text) }) { return nil }
            return "\(name) \(text) is not \(patterns.joined(separator: " or "))"
        case .compare(let bounds):
            guard let number = request.number(condition.field) else { return "the request has no \(name)" }
            guard let broken = bounds.first(where: { !$0.holds(for: number) }) else { return nil }
            let shown = condition.field == .level ? "L\(number)" : "\(number)"
            let bound = condition.field == .level ? "L\(broken.value)" : "\(broken.value)"
            return "\(name) \(shown) is not \(broken.op.rawValue) \(bound)"
        case .timeOfDay(let from, let to, let zone):
            let minute = minuteOfDay(request.time, zone: zone)
            let inside = from <= to ? (from <= minute && minute < to) : (minute >= from || minute < to)
            if inside { return nil }
            return "time \(clock(minute)) \(zone) is not in \(clock(from))–\(clock(to))"
        }
    }

    /// Minutes after midnight of `date` in `zone` (UTC if the zone is unknown, which the realm
    /// file check prevents).
    static func minuteOfDay(_ date: Date, zone: String) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone) ?? TimeZone(secondsFromGMT: 0)!
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
    }

    /// `HH:MM`.
    static func clock(_ minute: Int) -> String {
        let hours = minute / 60, minutes = minute % 60
        return (hours < 10 ? "0" : "") + "\(hours):" + (minutes < 10 ? "0" : "") + "\(minutes)"
    }
}

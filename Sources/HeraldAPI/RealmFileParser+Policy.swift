import Foundation
import HeraldCore
import Yams

/// `policy`: the realm's action rules (docs/action-authority.md), checked here with the line
/// of every problem: unknown keys and fields, malformed values, duplicate names, unknown
/// stages, levels and time zones, and rules that can never be reached.
extension RealmFileParser {
    static let policyKeys = ["default", "rules"]
    static let ruleKeys = ["name", "effect", "when", "reason"]
    static let comparisonKeys = PolicyCondition.Comparison.allCases.map(\.rawValue)
    static let rulePattern = "[A-Za-z0-9._-]{1,64}"

    func parsePolicy(_ node: Node) -> PolicySet? {
        guard let fields = reader.mapping(node, "policy", allowed: Self.policyKeys) else { return nil }
        var policy = PolicySet()
        let effects = Dictionary(uniqueKeysWithValues: PolicyEffect.allCases.map { ($0.rawValue, $0) })
        if let node = fields["default"] { policy.defaultEffect = reader.choice(node, "policy.default", effects) ?? .allow }
        guard let rulesNode = fields["rules"], let items = reader.sequence(rulesNode, "policy.rules") else {
            return policy
        }
        var names: Set<String> = []
        var catchAll: String?
        for (index, item) in items.enumerated() {
            let path = "policy.rules[\(index)]"
            guard let rule = reader.mapping(item, path, allowed: Self.ruleKeys) else { continue }
            // Everything of a rule is checked, even when its name or effect is wrong, so that
            // one run of `realm validate` lists every problem.
            let conditions = rule["when"].map { parseConditions($0, path: "\(path).when") } ?? []
            let reason = rule["reason"].flatMap { reader.string($0, "\(path).reason", pattern: "[^\\n]{1,256}") }
            guard let nameNode = rule["name"], let effectNode = rule["effect"] else {
                reader.issue(item, path, "a rule needs a name and an effect (allow or deny)")
                continue
            }
            let name = reader.string(nameNode, "\(path).name", pattern: Self.rulePattern,
                                     hint: "use letters, digits and . _ - (at most 64)")
            let effect = reader.choice(effectNode, "\(path).effect", effects)
            if let earlier = catchAll {
                reader.issue(item, path, "rule \(name ?? "?") can never decide: rule \(earlier) above it has no "
                             + "conditions and matches every request")
            }
            guard let name, let effect else { continue }
            if !names.insert(name).inserted { reader.issue(nameNode, "\(path).name", "rule \(name) is declared twice") }
            if rule["when"] == nil, catchAll == nil { catchAll = name }
            policy.rules.append(PolicyRule(name: name, effect: effect, conditions: conditions, reason: reason,
                                           line: item.mark.map { $0.line }))
        }
        return policy
    }

    private func parseConditions(_ node: Node, path: String) -> [PolicyCondition] {
        guard let fields = reader.mapping(node, path, allowed: PolicyField.allCases.map(\.rawValue)) else { return [] }
        // In the order of PolicyField, so an explanation names conditions in a fixed order.
        return PolicyField.allCases.compactMap { field in
            fields[field.rawValue].flatMap { parseCondition(field, $0, path: "\(path).\(field.rawValue)") }
        }
    }

    private func parseCondition(_ field: PolicyField, _ node: Node, path: String) -> PolicyCondition? {
        switch field {
        case .time: return parseTimeOfDay(node, path: path)
        case .level: return parseLevel(node, path: path)
        case .score, .delegationDepth, .amount: return parseNumber(field, node, path: path)
        default:
            let values: [String]?
            if case .sequence = node { values = reader.strings(node, path) } else { values = reader.string(node, path).map { [$0] } }
            guard let values, !values.isEmpty else {
                if values != nil { reader.issue(node, path, "list at least one value") }
                return nil
            }
            let allowed: [String]? = switch field {
            case .stage: PipelineStage.allCases.map(\.rawValue)
            case .on: PolicyRequest.Kind.allCases.map(\.rawValue)
            default: nil
            }
            if let allowed {
                for value in values where !allowed.contains(value) {
                    reader.issue(node, path, "'\(value)' is not one of \(allowed.joined(separator: ", "))"
                                 + Suggestion.hint(for: value, in: allowed))
                    return nil
                }
            }
            return PolicyCondition(field, .anyOf(values))
        }
    }

    /// `L3`, a list of levels, or bounds `{gte: L2, lt: L4}`.
    private func parseLevel(_ node: Node, path: String) -> PolicyCondition? {
        switch node {
        case .mapping:
            guard let bounds = reader.mapping(node, path, allowed: Self.comparisonKeys), !bounds.isEmpty else {
                return nil
            }
            var parsed: [PolicyCondition.Bound] = []
            for op in PolicyCondition.Comparison.allCases {
                guard let valueNode = bounds[op.rawValue] else { continue }
                guard let level = reader.level(valueNode, "\(path).\(op.rawValue)") else { return nil }
                parsed.append(.init(op, Decimal(level.rawValue)))
            }
            return PolicyCondition(.level, .compare(parsed))
        case .sequence:
            guard let items = reader.sequence(node, path) else { return nil }
            let levels = items.enumerated().map { reader.level($1, "\(path)[\($0)]") }
            guard !levels.isEmpty, !levels.contains(nil) else { return nil }
            return PolicyCondition(.level, .anyOf(levels.compactMap { $0?.name }))
        default:
            return reader.level(node, path).map { PolicyCondition(.level, .anyOf([$0.name])) }
        }
    }

    /// A number (equal to it) or bounds `{gt: 1000, lte: 5000}`.
    private func parseNumber(_ field: PolicyField, _ node: Node, path: String) -> PolicyCondition? {
        func number(_ node: Node, _ path: String) -> Decimal? {
            guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .singleQuoted
                    || scalar.style == .doubleQuoted,
                  scalar.string.wholeMatch(of: /-?[0-9]{1,15}(\.[0-9]{1,6})?/) != nil,
                  let value = Decimal(string: scalar.string, locale: Locale(identifier: "en_US_POSIX"))
            else {
                reader.issue(node, path, "expected a number, e.g. 1000 or 125.50")
                return nil
            }
            if field != .amount, scalar.string.contains(".") {
                reader.issue(node, path, "\(field.rawValue) is a whole number")
                return nil
            }
            return value
        }
        guard case .mapping = node else { return number(node, path).map { PolicyCondition(field, .compare([.init(.eq, $0)])) } }
        guard let bounds = reader.mapping(node, path, allowed: Self.comparisonKeys) else { return nil }
        guard !bounds.isEmpty else {
            reader.issue(node, path, "give at least one of \(Self.comparisonKeys.joined(separator: ", "))")
            return nil
        }
        var parsed: [PolicyCondition.Bound] = []
        for op in PolicyCondition.Comparison.allCases {
            guard let valueNode = bounds[op.rawValue] else { continue }
            guard let value = number(valueNode, "\(path).\(op.rawValue)") else { return nil }
            parsed.append(.init(op, value))
        }
        return PolicyCondition(field, .compare(parsed))
    }

    /// `{from: "09:00", to: "17:30", zone: Europe/Berlin}` (zone optional: UTC).
    private func parseTimeOfDay(_ node: Node, path: String) -> PolicyCondition? {
        guard let fields = reader.mapping(node, path, allowed: ["from", "to", "zone"]) else { return nil }
        guard let fromNode = fields["from"], let toNode = fields["to"] else {
            reader.issue(node, path, "a time window needs from and to, e.g. {from: \"09:00\", to: \"17:00\"}")
            return nil
        }
        func minute(_ node: Node, _ path: String) -> Int? {
            guard let text = reader.string(node, path, pattern: "([01][0-9]|2[0-3]):[0-5][0-9]",
                                           hint: "write HH:MM, 00:00 to 23:59, quoted")
            else { return nil }
            return Int(text.prefix(2))! * 60 + Int(text.suffix(2))!
        }
        guard let from = minute(fromNode, "\(path).from"), let to = minute(toNode, "\(path).to") else { return nil }
        if from == to { reader.issue(toNode, "\(path).to", "from and to are equal: the window would be empty") }
        var zone = "UTC"
        if let zoneNode = fields["zone"], let name = reader.string(zoneNode, "\(path).zone") {
            guard TimeZone(identifier: name) != nil else {
                reader.issue(zoneNode, "\(path).zone", "'\(name)' is not a time zone; write an IANA name such as "
                             + "Europe/Berlin, or UTC")
                return nil
            }
            zone = name
        }
        return PolicyCondition(.time, .timeOfDay(from: from, to: to, zone: zone))
    }
}

import Foundation
import HeraldCore

extension RealmDocument {
    /// The `policy` section in the realm-file form (an export imports as the same policy).
    static func policyObject(_ policy: PolicySet) -> [String: Any] {
        ["default": policy.defaultEffect.rawValue,
         "rules": policy.rules.map { rule in
             var object: [String: Any] = ["name": rule.name, "effect": rule.effect.rawValue]
             if !rule.conditions.isEmpty {
                 object["when"] = Dictionary(uniqueKeysWithValues: rule.conditions.map {
                     ($0.field.rawValue, conditionValue($0))
                 })
             }
             if let reason = rule.reason { object["reason"] = reason }
             return object
         }]
    }

    private static func conditionValue(_ condition: PolicyCondition) -> Any {
        func number(_ value: Decimal) -> Any {
            if condition.field == .level { return "L\(value)" }
            let whole = NSDecimalNumber(decimal: value)
            return value == Decimal(whole.intValue) ? whole.intValue as Any : whole.doubleValue as Any
        }
        switch condition.test {
        case .anyOf(let values): return values.count == 1 ? values[0] : values
        case .compare(let bounds):
            if bounds.count == 1, bounds[0].op == .eq { return number(bounds[0].value) }
            return Dictionary(uniqueKeysWithValues: bounds.map { ($0.op.rawValue, number($0.value)) })
        case .timeOfDay(let from, let to, let zone):
            func clock(_ minute: Int) -> String { String(format: "%02d:%02d", minute / 60, minute % 60) }
            return ["from": clock(from), "to": clock(to), "zone": zone]
        }
    }
}

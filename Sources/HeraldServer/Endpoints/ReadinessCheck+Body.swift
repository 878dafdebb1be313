import HeraldAPI

extension ReadinessCheck {
    /// The check's object in `/health/ready`: its details with `status`.
    var body: OpaqueJSON {
        var members = details.mapValues(Self.body(of:))
        members["status"] = .string(status)
        return .object(members)
    }

    /// A detail's JSON: the details hold strings, numbers, booleans, nested checks, and lists
    /// or maps of them; anything else is shown as its description.
    private static func body(of value: any Sendable) -> OpaqueJSON {
        switch value {
        case let check as ReadinessCheck: check.body
        case let text as String: .string(text)
        case let flag as Bool: .bool(flag)
        case let number as Int: .int(Int64(number))
        case let number as Int64: .int(number)
        case let number as Double: .double(number)
        case let list as [any Sendable]: .array(list.map(body(of:)))
        case let map as [String: any Sendable]: .object(map.mapValues(body(of:)))
        default: .string(String(describing: value))
        }
    }
}

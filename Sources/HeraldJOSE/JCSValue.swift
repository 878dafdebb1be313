/// A JSON value in the subset that RFC 8785 (JCS) canonicalizes byte for byte across
/// implementations without number formatting: strings, booleans, null, integers with
/// |n| ≤ 2^53, arrays and objects. Floats are not representable on purpose — the signed
/// MCPS objects never carry them (wire-formats §4), and refusing them avoids the one part
/// of JCS (ECMAScript number formatting) where implementations disagree.
public enum JCSValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([JCSValue])
    case object([String: JCSValue])

    /// The largest magnitude an integer may have: 2^53, the bound of exact IEEE 754 doubles
    /// (I-JSON, RFC 7493 §2.2), so every JCS implementation prints it the same way.
    public static let maxInteger: Int64 = 1 << 53

    /// The member `key` of an object; nil for other values or a missing member.
    public subscript(key: String) -> JCSValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, if this is one.
    public var intValue: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JCSValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    /// The members, if this is an object.
    public var objectValue: [String: JCSValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// True for `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the value's JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// Literals, so that tests and fixed objects read like JSON: `["a": 1, "b": [true, nil]]`.
extension JCSValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JCSValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JCSValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

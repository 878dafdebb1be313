import Foundation

/// Reads claims of an upstream IdP's token by the dotted paths the realm file names
/// (`realm_access.roles`, `roles`, `groups`, `scope`).
enum UpstreamClaims {
    /// A JWS payload as a JSON object; nil for anything else.
    static func object(_ payload: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(payload))) as? [String: Any]
    }

    /// The value at `path` (names separated by dots, each an object member), nil if absent.
    static func value(at path: String, in object: [String: Any]) -> Any? {
        var current: Any = object
        for name in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard let members = current as? [String: Any], let next = members[String(name)] else { return nil }
            current = next
        }
        return current is NSNull ? nil : current
    }

    /// Roles or groups as a list: a string is split on spaces (OAuth `scope`), an array must
    /// hold only strings. Nil for any other type, with its JSON type name.
    static func roles(_ value: Any) -> Result<[String], TypeMismatch> {
        if let text = value as? String {
            return .success(text.split(separator: " ", omittingEmptySubsequences: true).map(String.init))
        }
        if let items = value as? [Any] {
            let strings = items.compactMap { $0 as? String }
            guard strings.count == items.count else { return .failure(TypeMismatch(found: "an array holding non-strings")) }
            return .success(strings)
        }
        return .failure(TypeMismatch(found: typeName(value)))
    }

    struct TypeMismatch: Error { let found: String }

    /// A JSON type name for an error message.
    static func typeName(_ value: Any) -> String {
        switch value {
        case is String: "a string"
        case is NSNull: "null"
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        case let number as NSNumber:
            // JSONSerialization reads true/false as NSNumber too, of ObjC type `c` (char).
            String(cString: number.objCType) == "c" ? "a boolean" : "a number"
        default: "a \(type(of: value))"
        }
    }

    /// A NumericDate claim (RFC 7519 §2): a JSON number, not a boolean or a string.
    static func date(_ name: String, in object: [String: Any]) -> Result<Date?, TypeMismatch> {
        guard let value = object[name], !(value is NSNull) else { return .success(nil) }
        guard let number = value as? NSNumber, typeName(number) == "a number" else {
            return .failure(TypeMismatch(found: typeName(value)))
        }
        return .success(Date(timeIntervalSince1970: number.doubleValue))
    }
}

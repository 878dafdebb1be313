import Foundation

/// Reads claims of an upstream IdP's token by the dotted paths the realm file names
/// (`realm_access.roles`, `roles`, `groups`, `scope`).
package enum UpstreamClaims {
    /// A JWS payload as a JSON object; nil for anything else.
    package static func object(_ payload: [UInt8]) -> [String: Any]? {
        // The fast reader first (JSONSerialization was the largest cost of an exchange after
        // the RSA verify); whatever it does not read plainly, JSONSerialization does.
        UpstreamClaimsParser.object(payload) ?? (try? JSONSerialization.jsonObject(with: Data(payload))) as? [String: Any]
    }

    /// The value at `path` (names separated by dots, each an object member), nil if absent.
    package static func value(at path: String, in object: [String: Any]) -> Any? {
        var current: Any = object
        for name in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard let members = current as? [String: Any], let next = members[String(name)] else { return nil }
            current = next
        }
        // An exact class check, not `is NSNull`: on Linux, testing a Swift array (a roles
        // claim) against a class bridges the whole array to an NSArray first, on every token.
        return ObjectIdentifier(type(of: current)) == ObjectIdentifier(NSNull.self) ? nil : current
    }

    /// Roles or groups as a list: a string is split on spaces (OAuth `scope`), an array must
    /// hold only strings. Nil for any other type, with its JSON type name.
    package static func roles(_ value: Any) -> Result<[String], TypeMismatch> {
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

    package struct TypeMismatch: Error { let found: String }

    /// A JSON type name for an error message.
    package static func typeName(_ value: Any) -> String {
        switch value {
        case is String: "a string"
        case is NSNull: "null"
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        case let number as NSNumber: isBoolean(number) ? "a boolean" : "a number"
        default: "a \(type(of: value))"
        }
    }

    /// JSONSerialization reads true/false as NSNumber too, of ObjC type `c` (char).
    package static func isBoolean(_ number: NSNumber) -> Bool {
        number.objCType.pointee == CChar(UInt8(ascii: "c")) && number.objCType[1] == 0
    }

    /// A NumericDate claim (RFC 7519 §2): a JSON number, not a boolean or a string.
    package static func date(_ name: String, in object: [String: Any]) -> Result<Date?, TypeMismatch> {
        guard let value = object[name], ObjectIdentifier(type(of: value)) != ObjectIdentifier(NSNull.self) else {
            return .success(nil)
        }
        // The number test without ``typeName(_:)`` on the way to success: its casts of an
        // NSNumber to String, [Any] and [String: Any] each try a bridge, three times a token.
        guard let number = value as? NSNumber, !isBoolean(number) else {
            return .failure(TypeMismatch(found: typeName(value)))
        }
        return .success(Date(timeIntervalSince1970: number.doubleValue))
    }
}

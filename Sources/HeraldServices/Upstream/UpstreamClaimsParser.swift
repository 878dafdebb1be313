import Foundation

/// Reads a JWS payload into the `[String: Any]` shape JSONSerialization gives (String,
/// NSNumber, NSNull, `[Any]`, `[String: Any]`), for the claims of an upstream IdP's token.
///
/// It exists for speed: JSONSerialization (a JSONValue tree, then an Objective-C-style copy
/// with every number re-parsed from its text) was the largest cost of a token exchange after
/// the RSA verify. It reads only plain RFC 8259 JSON and answers nil for anything else (a
/// number too large for Int64, invalid UTF-8, a duplicate member, deep nesting), so that
/// ``UpstreamClaims/object(_:)`` falls back to JSONSerialization and the result stays
/// exactly JSONSerialization's.
package struct UpstreamClaimsParser {
    package static let maximumDepth = 32

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    /// The object `payload` is, or nil when it is not one this parser reads.
    package static func object(_ payload: [UInt8]) -> [String: Any]? {
        payload.withUnsafeBufferPointer { buffer in
            var parser = UpstreamClaimsParser(bytes: buffer)
            parser.skipWhitespace()
            guard parser.peek == UInt8(ascii: "{"), let object = parser.value(depth: 0) as? [String: Any] else {
                return nil
            }
            parser.skipWhitespace()
            return parser.index == buffer.count ? object : nil
        }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func consume(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] { return false }
        index += count
        return true
    }

    private mutating func value(depth: Int) -> Any? {
        guard depth < Self.maximumDepth else { return nil }
        skipWhitespace()
        switch peek {
        case UInt8(ascii: "{"): return object(depth: depth)
        case UInt8(ascii: "["): return array(depth: depth)
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "t"): return consume("true") ? NSNumber(value: true) : nil
        case UInt8(ascii: "f"): return consume("false") ? NSNumber(value: false) : nil
        case UInt8(ascii: "n"): return consume("null") ? NSNull() : nil
        case .some: return number()
        case nil: return nil
        }
    }

    private mutating func object(depth: Int) -> [String: Any]? {
        index += 1  // {
        var members: [String: Any] = [:]
        skipWhitespace()
        if peek == UInt8(ascii: "}") { index += 1; return members }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\""), let name = string() else { return nil }
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else { return nil }
            index += 1
            guard let member = value(depth: depth + 1), members.updateValue(member, forKey: name) == nil else {
                return nil  // a duplicate name too: JSONSerialization decides what it means
            }
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return members
            default: return nil
            }
        }
    }

    private mutating func array(depth: Int) -> [Any]? {
        index += 1  // [
        var elements: [Any] = []
        skipWhitespace()
        if peek == UInt8(ascii: "]") { index += 1; return elements }
        while true {
            guard let element = value(depth: depth + 1) else { return nil }
            elements.append(element)
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return elements
            default: return nil
            }
        }
    }

    /// A string; escapes other than the two-character ones (`\uXXXX`) are left to JSONSerialization.
    private mutating func string() -> String? {
        index += 1  // "
        let start = index
        var escaped: [UInt8]?
        while let byte = peek {
            switch byte {
            case UInt8(ascii: "\""):
                let text = escaped.map { String(validating: $0, as: UTF8.self) }
                    ?? String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { return nil }
                let replacement: UInt8
                switch bytes[index + 1] {
                case UInt8(ascii: "\""): replacement = UInt8(ascii: "\"")
                case UInt8(ascii: "\\"): replacement = UInt8(ascii: "\\")
                case UInt8(ascii: "/"): replacement = UInt8(ascii: "/")
                case UInt8(ascii: "b"): replacement = 0x08
                case UInt8(ascii: "f"): replacement = 0x0C
                case UInt8(ascii: "n"): replacement = 0x0A
                case UInt8(ascii: "r"): replacement = 0x0D
                case UInt8(ascii: "t"): replacement = 0x09
                default: return nil
                }
                if escaped == nil { escaped = Array(bytes[start..<index]) }
                escaped?.append(replacement)
                index += 2
            case 0x00..<0x20: return nil  // a raw control character
            default:
                escaped?.append(byte)
                index += 1
            }
        }
        return nil
    }

    /// RFC 8259 §6 number: an integer within Int64 as such, anything with a fraction or an
    /// exponent as a Double (as JSONSerialization does).
    private mutating func number() -> NSNumber? {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, isDigit(first) else { return nil }
        index += 1
        if first != UInt8(ascii: "0") { while let byte = peek, isDigit(byte) { index += 1 } }
        var integer = true
        if peek == UInt8(ascii: ".") {
            integer = false
            index += 1
            guard let byte = peek, isDigit(byte) else { return nil }
            while let byte = peek, isDigit(byte) { index += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            integer = false
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard let byte = peek, isDigit(byte) else { return nil }
            while let byte = peek, isDigit(byte) { index += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if integer { return Int64(text).map { NSNumber(value: $0) } }
        return Double(text).flatMap { $0.isFinite ? NSNumber(value: $0) : nil }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

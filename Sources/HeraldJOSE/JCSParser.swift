/// Parses JSON text (RFC 8259) into a ``JCSValue``.
///
/// Written by hand rather than on `JSONSerialization` because the signed objects must
/// round-trip exactly: `JSONSerialization` hands back `NSNumber`, where on Linux `1` and
/// `true` are indistinguishable (`as? Bool` succeeds for both) and `1.0` becomes `1`, so a
/// re-canonicalized payload could differ from what was signed without an error. It also
/// accepts duplicate member names silently (keeping one), which RFC 8785 (via I-JSON)
/// forbids. This parser refuses floats, integers beyond 2^53, duplicate names, lone
/// surrogates, raw control characters, invalid UTF-8 and nesting deeper than 64, each with
/// a message naming the byte offset. It also keeps Foundation's object bridging off the
/// offline verifier's hot path.
public struct JCSParser {
    /// The text, borrowed for the duration of ``parse(_:)`` only (unchecked indexing in
    /// release builds; every access below is guarded by an explicit `index < count`).
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    private static let maxDepth = 64
    /// Whether the text read so far is already in canonical form (no white space, no
    /// escapes, members in order), ignoring the excluded top-level member.
    private var isCanonical = true
    /// A top-level member whose byte range is recorded and left out of the order check.
    private let excluded: String?
    private var excludedRange: Range<Int>?
    /// Numbers of every RFC 8259 form are read (as placeholders) instead of refused: for
    /// ``checkUniqueMemberNames(_:)``, which keeps no values.
    private let readsAnyNumber: Bool

    private init(_ bytes: UnsafeBufferPointer<UInt8>, excluding: String? = nil, readsAnyNumber: Bool = false) {
        self.bytes = bytes
        excluded = excluding
        self.readsAnyNumber = readsAnyNumber
    }

    /// Refuses JSON text in which an object names a member twice, naming the member.
    ///
    /// RFC 7515 §4 and RFC 7519 §4 let a JWS or JWT parser either reject duplicate names or
    /// keep the lexically last; Herald decodes claims with `JSONDecoder`, which keeps the
    /// *first*, while `JSONSerialization` (and most other libraries) keep the last. So a
    /// token with `sub` twice would be judged as one agent and reported (introspection) as
    /// another. Refusing duplicates makes every reader see the same members. Unlike
    /// ``parse(_:)``, any RFC 8259 number is accepted (a NumericDate may have a fraction);
    /// everything else is checked as ``parse(_:)`` checks it.
    public static func checkUniqueMemberNames<Bytes: Collection>(_ bytes: Bytes) throws where Bytes.Element == UInt8 {
        func check(_ buffer: UnsafeBufferPointer<UInt8>) throws {
            var parser = JCSParser(buffer, readsAnyNumber: true)
            parser.skipWhitespace()
            _ = try parser.parseValue()
            parser.skipWhitespace()
            guard parser.index == buffer.count else { throw parser.failure("unexpected text after the JSON value") }
        }
        if try bytes.withContiguousStorageIfAvailable({ try check($0) }) != nil { return }
        try Array(bytes).withUnsafeBufferPointer { try check($0) }
    }

    /// Parses a JSON object and also returns its canonical form without the top-level
    /// member `member`, taken straight from the text when the text is already canonical
    /// (as Herald writes it: canonical members, then `signature`), else nil. Verifying a
    /// Herald-issued MCPS passport then costs no re-serialization.
    public static func parse(_ bytes: [UInt8], canonicalExcluding member: String) throws -> JCSDocument {
        try bytes.withUnsafeBufferPointer { buffer in
            var parser = JCSParser(buffer, excluding: member)
            parser.skipWhitespace()
            let value = try parser.parseValue()
            parser.skipWhitespace()
            guard parser.index == buffer.count else { throw parser.failure("unexpected text after the JSON value") }
            func document(_ rest: [UInt8]?) -> JCSDocument {
                JCSDocument(value: value, excludedMember: member, canonicalRest: rest)
            }
            guard parser.isCanonical, case .object = value else { return document(nil) }
            guard let range = parser.excludedRange else { return document(bytes) }
            var rest = Array(buffer[..<range.lowerBound])
            var tail = range.upperBound
            if rest.last == UInt8(ascii: ",") {
                rest.removeLast()  // a later member: drop the comma before it
            } else if buffer[tail] == UInt8(ascii: ",") {
                tail += 1  // the first member: drop the comma after it
            }
            rest.append(contentsOf: buffer[tail...])
            return document(rest)
        }
    }

    /// Parses `bytes` as exactly one JSON value (surrounding white space allowed).
    public static func parse<Bytes: Collection>(_ bytes: Bytes) throws -> JCSValue where Bytes.Element == UInt8 {
        if let value = try bytes.withContiguousStorageIfAvailable({ try parse(buffer: $0) }) { return value }
        return try Array(bytes).withUnsafeBufferPointer { try parse(buffer: $0) }
    }

    private static func parse(buffer: UnsafeBufferPointer<UInt8>) throws -> JCSValue {
        var parser = JCSParser(buffer)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.failure("unexpected text after the JSON value") }
        return value
    }

    /// Parses UTF-8 `text` as exactly one JSON value.
    public static func parse(_ text: String) throws -> JCSValue { try parse(Array(text.utf8)) }

    private func failure(_ message: String) -> JOSEError {
        JOSEError(.notCanonicalizable, "\(message) at byte \(index)")
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D:
                index += 1
                isCanonical = false
            default: return
            }
        }
    }

    private mutating func parseValue() throws -> JCSValue {
        guard index < bytes.count else { throw failure("unexpected end of JSON text") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if readsAnyNumber {
                try skipNumber()
                return .null
            }
            return .int(try parseInteger())
        default: throw failure("unexpected character '\(Unicode.Scalar(bytes[index]))'")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        let matches = literal.withUTF8Buffer { expected in
            index + count <= bytes.count && UnsafeBufferPointer(rebasing: bytes[index..<(index + count)]).elementsEqual(expected)
        }
        guard matches else { throw failure("invalid literal") }
        index += count
    }

    private mutating func enter() throws {
        depth += 1
        if depth > Self.maxDepth { throw failure("nesting deeper than \(Self.maxDepth)") }
    }

    private mutating func parseObject() throws -> JCSValue {
        try enter()
        index += 1
        // Sized for a passport's largest object, so inserting never rehashes.
        var members = [String: JCSValue](minimumCapacity: 14)
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object([:])
        }
        let isTop = depth == 1
        var previous: String?
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a member name") }
            let memberStart = index
            let name = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':'") }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            if members.updateValue(value, forKey: name) != nil {
                throw failure("duplicate member name \"\(name)\"")
            }
            if isTop, let excluded, name == excluded {
                excludedRange = memberStart..<index
            } else if isCanonical {
                if let previous, !JCS.precedes(previous, name) { isCanonical = false }
                previous = name
            }
            skipWhitespace()
            guard index < bytes.count else { throw failure("unterminated object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; break }
            throw failure("expected ',' or '}'")
        }
        depth -= 1
        return .object(members)
    }

    private mutating func parseArray() throws -> JCSValue {
        try enter()
        index += 1
        var values: [JCSValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(values)
        }
        while true {
            skipWhitespace()
            values.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw failure("unterminated array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; break }
            throw failure("expected ',' or ']'")
        }
        depth -= 1
        return .array(values)
    }

    private mutating func parseInteger() throws -> Int64 {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        let digitsStart = index
        var magnitude: Int64 = 0
        while index < bytes.count, case let byte = bytes[index], byte >= 0x30, byte <= 0x39 {
            if magnitude <= JCSValue.maxInteger {
                magnitude = magnitude * 10 + Int64(byte - 0x30)
            }
            index += 1
        }
        let digits = index - digitsStart
        guard digits > 0 else { throw failure("a number needs digits") }
        if digits > 1, bytes[digitsStart] == UInt8(ascii: "0") { throw failure("a number may not have leading zeros") }
        if index < bytes.count, case let next = bytes[index],
           next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            index = start
            throw failure("non-integer numbers are not accepted in signed objects (only integers with |n| ≤ 2^53)")
        }
        guard magnitude <= JCSValue.maxInteger else {
            index = start
            throw failure("integer beyond 2^53 (\(String(decoding: bytes[start..<min(start + 24, bytes.count)], as: UTF8.self)))")
        }
        if negative, magnitude == 0 { isCanonical = false }  // -0 is written 0
        return negative ? -magnitude : magnitude
    }

    /// Skips one number of the RFC 8259 §6 grammar: `-? int frac? exp?`.
    private mutating func skipNumber() throws {
        func skipDigits() throws {
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            guard index > start else { throw failure("a number needs digits") }
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        try skipDigits()
        if index - integerStart > 1, bytes[integerStart] == UInt8(ascii: "0") {
            throw failure("a number may not have leading zeros")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            try skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            try skipDigits()
        }
    }

    private mutating func parseString() throws -> String {
        index += 1  // opening quote
        let start = index
        var high: UInt8 = 0
        // Fast path: no escapes, so the bytes between the quotes are the string.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                // ASCII needs no validation (the common case: names, ids, base64).
                let text = high < 0x80 ? String(decoding: slice, as: UTF8.self) : try decodeUTF8(slice)
                index += 1
                return text
            }
            high |= byte
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw failure("raw control character in a string") }
            index += 1
        }
        var buffer = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return try buffer.withUnsafeBufferPointer { try decodeUTF8($0) }
            case UInt8(ascii: "\\"):
                index += 1
                isCanonical = false
                try appendEscape(to: &buffer)
            case 0x00..<0x20:
                throw failure("raw control character in a string")
            default:
                buffer.append(byte)
                index += 1
            }
        }
        throw failure("unterminated string")
    }

    private func decodeUTF8(_ slice: UnsafeBufferPointer<UInt8>) throws -> String {
        guard let text = String(validating: slice, as: UTF8.self) else { throw failure("invalid UTF-8 in a string") }
        return text
    }

    private mutating func appendEscape(to buffer: inout [UInt8]) throws {
        guard index < bytes.count else { throw failure("unterminated escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(byte)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw failure("lone high surrogate") }
                index += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw failure("high surrogate without a low one") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw failure("lone low surrogate")
            }
            buffer.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
        default:
            throw failure("invalid escape \\\(Unicode.Scalar(byte))")
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}

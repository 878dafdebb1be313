import HeraldCore

/// RFC 8785 JSON Canonicalization Scheme for the ``JCSValue`` subset (no floats).
///
/// Members are sorted by their names' UTF-16 code units (RFC 8785 §3.2.3); strings use the
/// RFC 8785 §3.2.2.2 escapes (`\"`, `\\`, `\b \f \n \r \t`, other control characters as
/// lowercase `\u00xx`, everything else verbatim UTF-8); no white space.
///
/// mcps-secure's `canonical_json` sorts by code point instead (Python's `sorted` on `str`).
/// The two orders differ only where one name has a character above U+FFFF and another a
/// character in U+E000–U+FFFF at the same position; ``isOrderAmbiguous(_:)`` detects that,
/// so signers can refuse such objects and verifiers can try both orders.
public enum JCS {
    /// How object members are ordered.
    public enum KeyOrder: Sendable, Hashable {
        /// RFC 8785: by UTF-16 code units.
        case utf16
        /// By Unicode code point (equivalently by UTF-8 bytes), as mcps-secure 1.0 sorts.
        case codePoint
    }

    /// The canonical UTF-8 bytes of `value`.
    public static func canonicalize(_ value: JCSValue, order: KeyOrder = .utf16) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        append(value, to: &out, order: order)
        return out
    }

    /// True when some object in `value` has member names that sort differently by UTF-16
    /// code units (RFC 8785) and by code point (mcps-secure).
    public static func isOrderAmbiguous(_ value: JCSValue) -> Bool {
        switch value {
        case .array(let values): return values.contains(where: isOrderAmbiguous)
        case .object(let members):
            if members.keys.sorted(by: precedes) != members.keys.sorted(by: precedesByCodePoint) { return true }
            return members.values.contains(where: isOrderAmbiguous)
        default: return false
        }
    }

    /// The canonical bytes of the JSON text `json`; throws for text outside the subset.
    public static func canonicalize<Bytes: Collection>(json: Bytes) throws -> [UInt8] where Bytes.Element == UInt8 {
        canonicalize(try JCSParser.parse(json))
    }

    /// The canonical form as a string.
    public static func string(_ value: JCSValue) -> String {
        String(decoding: canonicalize(value), as: UTF8.self)
    }

    /// Appends the canonical bytes of `value` to `out`.
    public static func append(_ value: JCSValue, to out: inout [UInt8], order: KeyOrder = .utf16) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number): out.append(contentsOf: String(number).utf8)
        case .string(let text): appendString(text, to: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (position, element) in values.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                append(element, to: &out, order: order)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let sorted = order == .utf16
                ? members.sorted { precedes($0.key, $1.key) } : members.sorted { precedesByCodePoint($0.key, $1.key) }
            for (position, member) in sorted.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                appendString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                append(member.value, to: &out, order: order)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A JSON string with the RFC 8785 escapes (``JSONWriter/appendString(_:to:)``), copying
    /// the common case — nothing to escape — in one piece.
    static func appendString(_ text: String, to out: inout [UInt8]) {
        let utf8 = text.utf8
        if utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: utf8)
            out.append(UInt8(ascii: "\""))
        } else {
            JSONWriter.appendString(text, to: &out)
        }
    }

    /// RFC 8785 §3.2.3 member order: by UTF-16 code units, unsigned.
    ///
    /// Compared over UTF-8 (Swift's native form; the UTF-16 view would transcode): UTF-8
    /// byte order is code-point order, which agrees with UTF-16 order except where one
    /// character is in U+E000–U+FFFF (lead byte EE or EF) and the other above U+FFFF (lead
    /// byte F0–F4, a surrogate pair D800–DBFF in UTF-16, so it sorts first there). At the
    /// first differing byte both strings are at the same character boundary, so that one
    /// case is decided by the two lead bytes.
    public static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        var left = lhs.utf8.makeIterator(), right = rhs.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case (let a?, let b?) where a != b:
                if (0xEE...0xEF).contains(a), b >= 0xF0 { return false }
                if (0xEE...0xEF).contains(b), a >= 0xF0 { return true }
                return a < b
            default: continue
            }
        }
    }

    /// Code-point order: UTF-8 byte order is code-point order.
    public static func precedesByCodePoint(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}

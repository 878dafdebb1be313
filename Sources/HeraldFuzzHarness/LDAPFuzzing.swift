import HeraldDirectory

extension FuzzTarget {
    /// ``LDAPFilter`` escaping (RFC 4515 §3) and the DN helpers: an escaped value holds no
    /// unescaped `*`, `(`, `)`, `\` or NUL, every `\` starts a two-hex-digit escape, and
    /// unescaping gives the value back byte for byte; a filter built from it has balanced
    /// parentheses with exactly one top-level item; the DN helpers do not trap.
    public static let ldap = FuzzTarget(
        name: "ldap",
        summary: "LDAPFilter.escape: no unescaped special characters, \\XX escapes only, unescape round-trips; "
            + "equals/inChain filters balanced; LDAPDN helpers total"
    ) { bytes throws(FuzzPropertyViolation) in
        let name = "ldap"
        let value = String(decoding: bytes, as: UTF8.self)
        let escaped = LDAPFilter.escape(value)
        guard let unescaped = unescapeAssertionValue(Array(escaped.utf8)) else {
            throw FuzzPropertyViolation(name, "escape(\(Check.show(bytes))) = \(Check.show(Array(escaped.utf8))) has a "
                                        + "special character or a backslash not starting \\XX")
        }
        try Check.that(unescaped == Array(value.utf8), name,
                       "escape(\(Check.show(bytes))) does not unescape to the value")
        for filter in [LDAPFilter.equals("uid", value), LDAPFilter.inChain("member", value),
                       LDAPFilter.and([LDAPFilter.equals("uid", value), LDAPFilter.equals("cn", value)])] {
            try Check.that(isOneBalancedFilter(Array(filter.utf8)), name,
                           "filter \(Check.show(Array(filter.utf8))) is not one balanced item")
        }
        let normalized = LDAPDN.normalize(value)
        try Check.that(LDAPDN.normalize(normalized) == normalized, name, "LDAPDN.normalize is not idempotent")
        try Check.that(LDAPDN.isWithin(value, base: value), name, "a DN is not within itself")
        _ = LDAPDN.firstValue(value)
        _ = LDAPFilter.normalized(value)
    }

    /// RFC 4515 `valueencoding` decoded, or nil when the text has a raw `*`, `(`, `)` or
    /// NUL or a backslash not followed by two hex digits.
    static func unescapeAssertionValue(_ text: [UInt8]) -> [UInt8]? {
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        var index = 0
        while index < text.count {
            let byte = text[index]
            switch byte {
            case UInt8(ascii: "*"), UInt8(ascii: "("), UInt8(ascii: ")"), 0: return nil
            case UInt8(ascii: "\\"):
                guard index + 2 < text.count, let high = hex(text[index + 1]), let low = hex(text[index + 2])
                else { return nil }
                out.append(high << 4 | low)
                index += 3
            default:
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    /// True when `filter` is `(`…`)` with balanced parentheses (escaped ones do not count:
    /// escaping leaves none raw) closing only at the end.
    static func isOneBalancedFilter(_ filter: [UInt8]) -> Bool {
        guard filter.first == UInt8(ascii: "("), filter.last == UInt8(ascii: ")") else { return false }
        var depth = 0
        for (position, byte) in filter.enumerated() {
            if byte == UInt8(ascii: "(") { depth += 1 }
            if byte == UInt8(ascii: ")") {
                depth -= 1
                if depth == 0, position != filter.count - 1 { return false }
                if depth < 0 { return false }
            }
        }
        return depth == 0
    }
}

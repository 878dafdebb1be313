import HeraldDirectory

extension FuzzTarget {
    /// ``LDAPFilter`` escaping (RFC 4515 §3) and the DN helpers: an escaped value holds no
    /// unescaped `*`, `(`, `)`, `\` or NUL, every `\` starts a two-hex-digit escape, and
    /// unescaping gives the value back byte for byte; a filter built from it has balanced
    /// parentheses with exactly one top-level item. The DN helpers normalize idempotently,
    /// read an RFC 4514-escaped value back exactly, and do not count an RDN whose value
    /// holds an escaped `,ou=groups,…` as lying under `ou=groups,…`.
    public static let ldap = FuzzTarget(
        name: "ldap",
        summary: "LDAPFilter.escape: no unescaped special characters, \\XX escapes only, unescape round-trips; "
            + "equals/inChain filters balanced; LDAPDN: normalize idempotent, firstValue unescapes RFC 4514 values, "
            + "isWithin honours escaped commas"
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
        // The DN helpers, on the raw value and on DNs that carry it as an escaped RDN value.
        let base = "ou=groups,dc=acme"
        let inside = "cn=\(escapeDNValue(value)),\(base)"
        let outside = "cn=\(escapeDNValue(value + ",\(base)")),dc=acme"
        for dn in [value, inside, outside] {
            let normalized = LDAPDN.normalize(dn)
            try Check.that(Check.same(LDAPDN.normalize(normalized), normalized), name,
                           "LDAPDN.normalize is not idempotent on \(Check.show(Array(dn.utf8)))")
            try Check.that(LDAPDN.isWithin(dn, base: dn), name, "\(Check.show(Array(dn.utf8))) is not within itself")
        }
        for dn in [inside, "cn=\(hexEscapeDNValue(value)),dc=x"] {
            try Check.that(LDAPDN.firstValue(dn).map { Check.same($0, value) } == true, name,
                           "firstValue(\(Check.show(Array(dn.utf8)))) is \(LDAPDN.firstValue(dn).debugDescription)")
        }
        try Check.that(LDAPDN.isWithin(inside, base: base), name, "\(Check.show(Array(inside.utf8))) is not within \(base)")
        try Check.that(!LDAPDN.isWithin(outside, base: base), name,
                       "\(Check.show(Array(outside.utf8))) (an RDN with an escaped comma under dc=acme) counts as within \(base)")
        _ = LDAPFilter.normalized(value)
    }

    /// RFC 4514 §2.4 escaping of an attribute value: `"+,;<>\` escaped, a leading `#` or
    /// space and a trailing space escaped, NUL as `\00`.
    static func escapeDNValue(_ value: String) -> String {
        var out = ""
        let scalars = Array(value.unicodeScalars)
        for (position, scalar) in scalars.enumerated() {
            switch scalar {
            case "\"", "+", ",", ";", "<", ">", "\\": out += "\\" + String(scalar)
            case "\u{0}": out += "\\00"
            case "#" where position == 0, " " where position == 0 || position == scalars.count - 1:
                out += "\\" + String(scalar)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Every byte of the value's UTF-8 as a `\XX` hex pair (RFC 4514 §2.4 allows it).
    static func hexEscapeDNValue(_ value: String) -> String {
        let hex = Array("0123456789ABCDEF")
        return value.utf8.map { "\\\(hex[Int($0 >> 4)])\(hex[Int($0 & 0x0F)])" }.joined()
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

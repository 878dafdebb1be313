/// Builds RFC 4515 search filters. Every value that comes from outside (an agent id, a DN
/// read from the directory) goes through ``escape(_:)``; nothing else is ever spliced in.
public enum LDAPFilter {
    /// RFC 4515 §3 assertion-value escaping: `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`,
    /// `\29`, `\5c`, `\00`. So an agent id `*)(uid=*` matches only an entry whose id is
    /// literally that.
    public static func escape(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "*": escaped += "\\2a"
            case "(": escaped += "\\28"
            case ")": escaped += "\\29"
            case "\\": escaped += "\\5c"
            case "\u{0}": escaped += "\\00"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// `(attribute=value)` with `value` escaped.
    public static func equals(_ attribute: String, _ value: String) -> String {
        "(\(attribute)=\(escape(value)))"
    }

    /// `(&f1 f2 …)`, or the only filter when there is one.
    public static func and(_ filters: [String]) -> String {
        filters.count == 1 ? filters[0] : "(&\(filters.joined()))"
    }

    /// `(|f1 f2 …)`, or the only filter when there is one.
    public static func or(_ filters: [String]) -> String {
        filters.count == 1 ? filters[0] : "(|\(filters.joined()))"
    }

    /// `(!f)`.
    public static func not(_ filter: String) -> String { "(!\(filter))" }

    /// Active Directory's LDAP_MATCHING_RULE_IN_CHAIN: `(attribute:1.2.840.113556.1.4.1941:=dn)`
    /// matches groups that contain `dn` directly or through any depth of nesting.
    public static func inChain(_ attribute: String, _ dn: String) -> String {
        "(\(attribute):\(matchingRuleInChain):=\(escape(dn)))"
    }

    public static let matchingRuleInChain = "1.2.840.113556.1.4.1941"

    /// Wraps a configured filter in parentheses when it lacks them (`objectClass=person`).
    public static func normalized(_ filter: String) -> String {
        let trimmed = filter.trimmingCharacters(in: .whitespaces)
        return trimmed.hasPrefix("(") ? trimmed : "(\(trimmed))"
    }
}

/// Distinguished-name helpers (RFC 4514) for comparing and naming groups.
///
/// They work on Unicode scalars and UTF-8 bytes, not `Character`s: a separator followed by
/// a combining mark (`,` U+0301) is one grapheme cluster, which splitting by characters
/// misses (found by the `ldap` fuzz target). And they honour escapes: `cn=x\,ou=groups,dc=a`
/// is one RDN under `dc=a`, not an entry under `ou=groups,dc=a`.
public enum LDAPDN {
    /// Case-folded, with spaces around separators removed: the form DNs are compared in.
    public static func normalize(_ dn: String) -> String {
        relativeNames(dn).joined(separator: ",")
    }

    /// The RDNs of `dn` in normalized form, first (most specific) first: split at the
    /// commas that are not escaped, case-folded, unescaped spaces around `=` and at the
    /// ends removed.
    static func relativeNames(_ dn: String) -> [String] {
        var parts: [String.UnicodeScalarView] = [String.UnicodeScalarView()]
        var escaped = false
        for scalar in dn.lowercased().unicodeScalars {
            if escaped {
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else if scalar == "," {
                parts.append(String.UnicodeScalarView())
                continue
            }
            parts[parts.count - 1].append(scalar)
        }
        return parts.map { part in
            // Attribute types cannot contain `=` or `\`, so the first `=` ends the type.
            part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                .map { trimmingSpaces($0) }
                .joined(separator: "=")
        }
    }

    /// The value of the first RDN (`cn=mcps-l4,ou=groups,…` → `mcps-l4`), unescaped: `\,`
    /// style escapes and RFC 4514 §2.4 hex pairs (`\2C`; `\C3\A9` for é). Unescaped
    /// spaces (U+0020, the only white space RFC 4514 treats specially) at its ends are
    /// dropped, escaped ones (`\ `) kept.
    public static func firstValue(_ dn: String) -> String? {
        let bytes = Array(dn.utf8)
        var value: [UInt8] = []
        var significant = 0  // value.count up to the last byte that is not an unescaped space
        var seenEquals = false
        var index = 0
        func keep(_ byte: UInt8) {
            value.append(byte)
            significant = value.count
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                if index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                    if seenEquals { keep(high << 4 | low) }
                    index += 3
                } else {
                    if seenEquals, index + 1 < bytes.count { keep(bytes[index + 1]) }
                    index += 2
                }
                continue
            }
            if seenEquals, byte == UInt8(ascii: ",") || byte == UInt8(ascii: "+") { break }
            if !seenEquals {
                seenEquals = byte == UInt8(ascii: "=")
            } else if byte == UInt8(ascii: " ") {
                if !value.isEmpty { value.append(byte) }
            } else {
                keep(byte)
            }
            index += 1
        }
        return seenEquals ? String(decoding: value[..<significant], as: UTF8.self) : nil
    }

    /// True when `dn` is `base` or lies under it: its last RDNs are `base`'s.
    public static func isWithin(_ dn: String, base: String) -> Bool {
        let base = relativeNames(base)
        guard base != [""] else { return true }
        let names = relativeNames(dn)
        return names.count >= base.count && Array(names.suffix(base.count)) == base
    }

    /// `text` without the white space (tab, Unicode space separators) at either end,
    /// scalar by scalar; a space escaped by a backslash stays.
    private static func trimmingSpaces(_ text: Substring.UnicodeScalarView) -> String {
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
        guard let first = text.firstIndex(where: { !isSpace($0) }) else { return "" }
        var end = text.endIndex
        while end > first {
            let last = text.index(before: end)
            guard isSpace(text[last]), text[text.index(before: last)] != "\\" else { break }
            end = last
        }
        return String(String.UnicodeScalarView(text[first..<end]))
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

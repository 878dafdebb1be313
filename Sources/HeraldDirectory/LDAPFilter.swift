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
public enum LDAPDN {
    /// Case-folded, with spaces around separators removed: the form DNs are compared in.
    public static func normalize(_ dn: String) -> String {
        dn.lowercased().split(separator: ",", omittingEmptySubsequences: false)
            .map { part in
                let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return pieces.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "=")
            }
            .joined(separator: ",")
    }

    /// The value of the first RDN (`cn=mcps-l4,ou=groups,…` → `mcps-l4`), unescaped.
    public static func firstValue(_ dn: String) -> String? {
        var value = ""
        var seenEquals = false
        var escaping = false
        for character in dn {
            if escaping {
                value.append(character)
                escaping = false
                continue
            }
            switch character {
            case "\\": escaping = true
            case "," where seenEquals, "+" where seenEquals: return value.trimmingCharacters(in: .whitespaces)
            case "=" where !seenEquals: seenEquals = true
            default: if seenEquals { value.append(character) }
            }
        }
        return seenEquals ? value.trimmingCharacters(in: .whitespaces) : nil
    }

    /// True when `dn` is `base` or lies under it.
    public static func isWithin(_ dn: String, base: String) -> Bool {
        let dn = normalize(dn), base = normalize(base)
        return base.isEmpty || dn == base || dn.hasSuffix("," + base)
    }
}

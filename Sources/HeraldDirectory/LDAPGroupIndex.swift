import HeraldCore

/// The realm's groups and how they nest, read in one (paged) search: what turns an agent's
/// direct groups into every group it belongs to, with the path through nested groups.
struct LDAPGroupIndex: Sendable {
    /// Normalised DN → the DN as the directory writes it.
    private(set) var dns: [String: String] = [:]
    /// Normalised DN → the group's name (its `cn`, else its first RDN value).
    private(set) var names: [String: String] = [:]
    /// Normalised DN → normalised DNs of the groups that contain it.
    private(set) var parents: [String: [String]] = [:]
    /// Normalised member value (DN, or uid for `memberUid`) → normalised DNs of its groups.
    private(set) var groupsOfMember: [String: [String]] = [:]

    init() {}

    init(entries: [LDAPEntry], settings: LDAPSettings.Groups) {
        for entry in entries {
            let key = LDAPDN.normalize(entry.dn)
            dns[key] = entry.dn
            names[key] = entry.value("cn") ?? LDAPDN.firstValue(entry.dn) ?? entry.dn
        }
        for entry in entries {
            let key = LDAPDN.normalize(entry.dn)
            if let memberOf = settings.memberOfAttribute, !entry.values(memberOf).isEmpty {
                parents[key, default: []] += entry.values(memberOf).map(LDAPDN.normalize)
            }
            for value in entry.values(settings.membershipAttribute.rawValue) {
                let member = Self.memberKey(value, attribute: settings.membershipAttribute)
                groupsOfMember[member, default: []].append(key)
                if settings.memberOfAttribute == nil, dns[member] != nil {
                    parents[member, default: []].append(key)
                }
            }
        }
    }

    /// The form a member value is compared in: a normalised DN (a `uniqueMember` may end in
    /// `#'0101'B`, an optional UID), or a uid as written.
    static func memberKey(_ value: String, attribute: LDAPSettings.MembershipAttribute) -> String {
        switch attribute {
        case .memberUid: return value
        case .uniqueMember:
            if let hash = value.lastIndex(of: "#"), value[value.index(after: hash)...].hasPrefix("'") {
                return LDAPDN.normalize(String(value[..<hash]))
            }
            return LDAPDN.normalize(value)
        case .member: return LDAPDN.normalize(value)
        }
    }

    var count: Int { dns.count }

    func name(_ key: String, fallback: String) -> String { names[key] ?? LDAPDN.firstValue(fallback) ?? fallback }

    func dn(_ key: String, fallback: String) -> String { dns[key] ?? fallback }

    /// Every group reachable from `direct` (DNs as written) through `parents`, breadth first,
    /// each once (so cycles end), at most `maxDepth` levels from the agent; with the path
    /// from a direct group to it.
    func memberships(direct: [String], nested: Bool, maxDepth: Int) -> [LDAPGroupMembership] {
        var result: [LDAPGroupMembership] = []
        var visited: Set<String> = []
        var frontier: [(key: String, path: [String])] = direct.map { dn in
            let key = LDAPDN.normalize(dn)
            return (key, [self.dn(key, fallback: dn)])
        }
        var depth = 1
        while !frontier.isEmpty && depth <= maxDepth {
            var next: [(key: String, path: [String])] = []
            for (key, path) in frontier where visited.insert(key).inserted {
                let written = path.last ?? key
                result.append(LDAPGroupMembership(dn: written, name: name(key, fallback: written), path: path))
                guard nested else { continue }
                for parent in parents[key] ?? [] where !visited.contains(parent) {
                    next.append((parent, path + [dn(parent, fallback: parent)]))
                }
            }
            frontier = next
            depth += 1
        }
        return result
    }
}

/// One group an agent belongs to, and how.
public struct LDAPGroupMembership: Sendable, Hashable, Codable {
    /// The group's DN.
    public let dn: String
    /// Its name (`cn`).
    public let name: String
    /// DNs from the agent's direct group to this one; one element for a direct membership.
    /// Empty when the server resolved nesting itself (Active Directory's in-chain rule).
    public let path: [String]

    public init(dn: String, name: String, path: [String]) {
        self.dn = dn
        self.name = name
        self.path = path
    }
}

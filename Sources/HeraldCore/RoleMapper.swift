import Foundation

/// Turns a principal's roles and groups into the roles it effectively holds and its level,
/// as a Keycloak group-to-role mapper followed by the `mcps` protocol mapper would.
public struct RoleMapper: Sendable, Hashable {
    /// Group (exact name, or a DN compared case-insensitively) to the roles it grants.
    private let rolesByGroup: [String: [String]]

    public init(mappings: [RoleMapping]) {
        var rolesByGroup: [String: [String]] = [:]
        for mapping in mappings {
            rolesByGroup[Self.normalize(mapping.group), default: []].append(mapping.role)
        }
        self.rolesByGroup = rolesByGroup
    }

    /// Every role the principal holds, directly or through a mapped group; sorted, unique.
    public func effectiveRoles(of principal: Principal) -> [String] {
        var roles = Set(principal.roles)
        for group in principal.groups {
            roles.formUnion(rolesByGroup[Self.normalize(group)] ?? [])
        }
        return roles.sorted()
    }

    /// The highest `mcps-l<n>` among `roles`; L0 when there is none.
    public static func level(of roles: [String]) -> TrustLevel {
        roles.compactMap(TrustLevel.init(role:)).max() ?? .l0
    }

    /// DNs are case-insensitive and tolerate spaces after commas; plain names are kept as
    /// written except for case, which directories do not distinguish either.
    static func normalize(_ group: String) -> String {
        // On the token path for directory-backed agents: no Foundation character sets here.
        let lower = group.lowercased()
        guard lower.contains(",") || lower.first?.isWhitespace == true || lower.last?.isWhitespace == true else {
            return lower
        }
        return lower.split(separator: ",", omittingEmptySubsequences: false).map(trimmed).joined(separator: ",")
    }

    private static func trimmed(_ text: Substring) -> Substring {
        var text = text
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return text
    }
}

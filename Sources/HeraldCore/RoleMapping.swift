/// A realm rule: members of `group` (a static group name or an LDAP DN) hold `role`.
public struct RoleMapping: Sendable, Hashable, Codable {
    /// Stable id for the admin API (`rm-1`, …); assigned in file order on import.
    public var id: String?
    public var group: String
    public var role: String

    public init(id: String? = nil, group: String, role: String) {
        self.id = id
        self.group = group
        self.role = role
    }
}

/// A realm rule: members of `group` (a static group name or an LDAP DN) hold `role`.
public struct RoleMapping: Sendable, Hashable, Codable {
    public var group: String
    public var role: String

    public init(group: String, role: String) {
        self.group = group
        self.role = role
    }
}

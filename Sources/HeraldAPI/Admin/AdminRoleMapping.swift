/// A group → role mapping (`GET|POST /admin/realms/{r}/role-mappings`, the realm file's
/// `role_mappings` entries). `id` (`rm-N`) is absent only in a realm file that gives none.
package struct AdminRoleMapping: Codable, Sendable, Equatable {
    package var id: String?
    package var group: String
    package var role: String

    package init(id: String?, group: String, role: String) {
        self.id = id
        self.group = group
        self.role = role
    }
}

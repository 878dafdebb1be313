/// `GET /admin/realms/{r}/role-mappings`.
package struct AdminRoleMappingList: Codable, Sendable, Equatable {
    package var roleMappings: [AdminRoleMapping]

    package init(roleMappings: [AdminRoleMapping]) {
        self.roleMappings = roleMappings
    }

    enum CodingKeys: String, CodingKey {
        case roleMappings = "role_mappings"
    }
}

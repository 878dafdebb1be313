/// `POST /admin/realms/{r}/role-mappings`: both members required; the server picks the id.
package struct AdminRoleMappingRequest: AdminRequestBody, Encodable, Equatable {
    package var group: String
    package var role: String

    package init(group: String, role: String) {
        self.group = group
        self.role = role
    }
}

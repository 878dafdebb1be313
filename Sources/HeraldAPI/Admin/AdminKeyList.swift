/// `GET /admin/realms/{r}/keys`: every key of the realm, revoked ones included.
package struct AdminKeyList: Codable, Sendable, Equatable {
    package var keys: [AdminKey]

    package init(keys: [AdminKey]) {
        self.keys = keys
    }
}

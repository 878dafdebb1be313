/// `PUT /admin/realms/{r}`: the realm a realm file was imported into.
package struct AdminRealmImported: Codable, Sendable, Equatable {
    package var realm: String

    package init(realm: String) {
        self.realm = realm
    }
}

/// `GET /admin/realms`: the realm names served.
package struct AdminRealmList: Codable, Sendable, Equatable {
    package var realms: [String]

    package init(realms: [String]) {
        self.realms = realms
    }
}

/// A federation peer as configured: the body of `POST /admin/realms/{r}/federation/peers`
/// and an entry of the realm file's `federation.peers`. The values (URL, pin, level,
/// durations) are the realm-file loader's to check, with its messages.
package struct AdminPeerEntry: AdminRequestBody, Encodable, Equatable {
    package var entity: String
    package var pin: String
    package var maxLevel: String
    package var refresh: String?
    package var maxStaleness: String?

    package init(entity: String, pin: String, maxLevel: String, refresh: String? = nil, maxStaleness: String? = nil) {
        self.entity = entity
        self.pin = pin
        self.maxLevel = maxLevel
        self.refresh = refresh
        self.maxStaleness = maxStaleness
    }

    enum CodingKeys: String, CodingKey {
        case entity, pin, refresh
        case maxLevel = "max_level"
        case maxStaleness = "max_staleness"
    }
}

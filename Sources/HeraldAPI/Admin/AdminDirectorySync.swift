/// `POST /admin/realms/{r}/directory/sync`: what a full read of the LDAP directory found.
package struct AdminDirectorySync: Codable, Sendable, Equatable {
    package var realm: String
    /// `sync` or `live`.
    package var mode: String
    package var agents: Int
    package var groups: Int
    package var roundTrips: Int
    /// Wall time of the read, to the millisecond.
    package var seconds: Double

    package init(realm: String, mode: String, agents: Int, groups: Int, roundTrips: Int, seconds: Double) {
        self.realm = realm
        self.mode = mode
        self.agents = agents
        self.groups = groups
        self.roundTrips = roundTrips
        self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey {
        case realm, mode, agents, groups, seconds
        case roundTrips = "round_trips"
    }
}

/// `GET /admin/realms/{r}/directory/agents/{id}`: an LDAP lookup of one agent, afresh, and
/// why it gets its level. The members after `dn` are there only when the agent was found.
package struct AdminDirectoryExplanation: Codable, Sendable, Equatable {
    package var realm: String
    package var agent: String
    package var directory: Directory
    package var bind: Bind
    package var entries: Int
    package var found: Bool
    package var disabled: Bool
    package var roundTrips: Int
    /// `issued`, or `denied: …` and why.
    package var token: String
    package var dn: String?
    package var groups: [Group]?
    package var directoryRoles: [String]?
    package var mapped: [AdminRoleMapping]?
    package var roles: [String]?
    package var trustLevel: String?
    /// The `mcps` claim, before `trust_policy` caps.
    package var mcps: MCPS?
    /// `name`, `org`, `code_hash` when the entry has them.
    package var attributes: [String: String]?

    package init(realm: String, agent: String, directory: Directory, bind: Bind, entries: Int, found: Bool,
                 disabled: Bool, roundTrips: Int, token: String, dn: String?) {
        self.realm = realm
        self.agent = agent
        self.directory = directory
        self.bind = bind
        self.entries = entries
        self.found = found
        self.disabled = disabled
        self.roundTrips = roundTrips
        self.token = token
        self.dn = dn
    }

    enum CodingKeys: String, CodingKey {
        case realm, agent, directory, bind, entries, found, disabled, token, dn, groups, mapped, roles, mcps, attributes
        case roundTrips = "round_trips"
        case directoryRoles = "directory_roles"
        case trustLevel = "trust_level"
    }

    /// The directory asked.
    package struct Directory: Codable, Sendable, Equatable {
        package var url: String
        package var mode: String
        package var vendor: String

        package init(url: String, mode: String, vendor: String) {
            self.url = url
            self.mode = mode
            self.vendor = vendor
        }
    }

    /// The service bind.
    package struct Bind: Codable, Sendable, Equatable {
        package var dn: String
        package var result: String

        package init(dn: String, result: String) {
            self.dn = dn
            self.result = result
        }
    }

    /// A group of the agent, with the path to it through nested groups.
    package struct Group: Codable, Sendable, Equatable {
        package var dn: String
        package var name: String
        package var path: [String]

        package init(dn: String, name: String, path: [String]) {
            self.dn = dn
            self.name = name
            self.path = path
        }
    }

    /// The `mcps` claim its level gives (`scopes` space-free, comma-separated).
    package struct MCPS: Codable, Sendable, Equatable {
        package var trustLevel: Int
        package var trustLabel: String
        package var paymentEnabled: Bool
        package var txLimit: Int
        package var dayLimit: Int
        package var scopes: String

        package init(trustLevel: Int, trustLabel: String, paymentEnabled: Bool, txLimit: Int, dayLimit: Int,
                     scopes: String) {
            self.trustLevel = trustLevel
            self.trustLabel = trustLabel
            self.paymentEnabled = paymentEnabled
            self.txLimit = txLimit
            self.dayLimit = dayLimit
            self.scopes = scopes
        }

        enum CodingKeys: String, CodingKey {
            case scopes
            case trustLevel = "trust_level"
            case trustLabel = "trust_label"
            case paymentEnabled = "payment_enabled"
            case txLimit = "tx_limit"
            case dayLimit = "day_limit"
        }
    }
}

/// The peer object (`…/federation/peers…`): a peer as configured, and its refresh status.
package struct AdminPeer: Codable, Sendable, Equatable {
    /// `peer-` and 10 hex digits of the SHA-256 of `entity`.
    package var id: String
    package var entity: String
    package var pin: String
    package var maxLevel: String
    /// The configured refresh interval, or `null` (the bundle's `refresh_hint`).
    @AdminNullable package var refresh: String?
    package var maxStaleness: String
    /// `pending`, `ok`, `rejected` or `unreachable`.
    package var status: String
    @AdminNullable package var code: String?
    @AdminNullable package var reason: String?
    package var failures: Int
    @AdminNullable package var lastAttempt: String?
    @AdminNullable package var lastSuccess: String?
    @AdminNullable package var nextRefresh: String?
    @AdminNullable package var sequence: Int64?
    @AdminNullable package var bundleExpiresAt: String?
    package var agents: AgentCounts
    /// The pin, then the keys the last good bundle announced.
    package var knownKeys: [String]

    package init(id: String, entity: String, pin: String, maxLevel: String, refresh: String?, maxStaleness: String,
                 status: String, code: String?, reason: String?, failures: Int, lastAttempt: String?,
                 lastSuccess: String?, nextRefresh: String?, sequence: Int64?, bundleExpiresAt: String?,
                 agents: AgentCounts, knownKeys: [String]) {
        self.id = id
        self.entity = entity
        self.pin = pin
        self.maxLevel = maxLevel
        self.refresh = refresh
        self.maxStaleness = maxStaleness
        self.status = status
        self.code = code
        self.reason = reason
        self.failures = failures
        self.lastAttempt = lastAttempt
        self.lastSuccess = lastSuccess
        self.nextRefresh = nextRefresh
        self.sequence = sequence
        self.bundleExpiresAt = bundleExpiresAt
        self.agents = agents
        self.knownKeys = knownKeys
    }

    enum CodingKeys: String, CodingKey {
        case id, entity, pin, refresh, status, code, reason, failures, sequence, agents
        case maxLevel = "max_level"
        case maxStaleness = "max_staleness"
        case lastAttempt = "last_attempt"
        case lastSuccess = "last_success"
        case nextRefresh = "next_refresh"
        case bundleExpiresAt = "bundle_expires_at"
        case knownKeys = "known_keys"
    }

    /// Agents in the last good bundle, by status.
    package struct AgentCounts: Codable, Sendable, Equatable {
        package var active: Int
        package var suspended: Int
        package var revoked: Int

        package init(active: Int, suspended: Int, revoked: Int) {
            self.active = active
            self.suspended = suspended
            self.revoked = revoked
        }
    }
}

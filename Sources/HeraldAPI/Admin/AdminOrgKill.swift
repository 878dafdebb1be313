/// `POST /admin/realms/{r}/orgs/{org}/kill|revive`: the organisation's kill switch and its
/// agents that have a lifecycle record.
package struct AdminOrgKill: Codable, Sendable, Equatable {
    package var org: String
    package var killed: Bool
    @AdminNullable package var reason: String?
    @AdminNullable package var killedAt: String?
    package var agents: [String]

    package init(org: String, killed: Bool, reason: String?, killedAt: String?, agents: [String]) {
        self.org = org
        self.killed = killed
        self.reason = reason
        self.killedAt = killedAt
        self.agents = agents
    }

    enum CodingKeys: String, CodingKey {
        case org, killed, reason, agents
        case killedAt = "killed_at"
    }
}

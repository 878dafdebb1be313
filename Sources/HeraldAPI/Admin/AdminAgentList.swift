/// `GET /admin/realms/{r}/agents`.
package struct AdminAgentList: Codable, Sendable, Equatable {
    package var agents: [AdminAgentView]

    package init(agents: [AdminAgentView]) {
        self.agents = agents
    }
}

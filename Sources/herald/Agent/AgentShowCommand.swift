import ArgumentParser

/// `herald agent show ID`: one agent, every field.
struct AgentShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one agent.")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Agent id.") var id: String

    func validate() throws { try AgentTable.checkAgentID(id) }

    func run() async throws {
        let session = try options.connect()
        let agent = try await session.json(.GET, options.path("agents", id), hints: [
            404: "no such agent; `herald agent list` shows them",
        ])
        options.emit(agent, table: AgentTable.renderOne)
    }
}

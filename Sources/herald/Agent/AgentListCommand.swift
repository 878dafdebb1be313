import ArgumentParser

/// `herald agent list`: the realm's agents with their current trust level.
struct AgentListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the realm's agents.")

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let session = try options.connect()
        options.emit(try await session.json(.GET, options.path("agents")), table: AgentTable.render)
    }
}

import ArgumentParser

/// `herald agent rm ID`: removes an agent no client acts as.
struct AgentRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove an agent from the static directory.")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Agent id.") var id: String

    func validate() throws { try AgentTable.checkAgentID(id) }

    func run() async throws {
        let session = try options.connect()
        _ = try await session.send(.DELETE, options.path("agents", id), hints: [
            404: "no such agent; `herald agent list` shows them",
            409: "a client acts as this agent; `herald client rm` it (see SUBJECT in `herald client list`) first",
        ])
        if options.output == .table { Console.write("removed agent \(id)") }
    }
}

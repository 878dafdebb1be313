import ArgumentParser
import HeraldAPI

/// `herald kill agent ID --reason R`.
struct KillAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Stop one agent from its next request on.")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Agent id.") var id: String
    @Option(help: "Why (recorded in the audit chain and shown in refusals).") var reason: String

    func validate() throws {
        try AgentTable.checkAgentID(id)
        try LifecycleView.checkText(reason, "--reason")
    }

    func run() async throws {
        let session = try options.connect()
        let record = try await session.call(.POST, options.path("agents", id, "kill"), body: AdminKillRequest(reason: reason),
                                            as: AdminLifecycle.self,
                                            hints: LifecycleView.hints(id, realm: options.realmName))
        options.emit(record, table: KillSwitchView.agent)
    }
}

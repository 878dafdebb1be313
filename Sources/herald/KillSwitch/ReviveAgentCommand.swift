import ArgumentParser
import HeraldAPI

/// `herald revive agent ID`.
struct ReviveAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agent", abstract: "Lift the kill switch from one agent.")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Agent id.") var id: String

    func validate() throws { try AgentTable.checkAgentID(id) }

    func run() async throws {
        let session = try options.connect()
        let record = try await session.call(.POST, options.path("agents", id, "revive"), as: AdminLifecycle.self,
                                            hints: LifecycleView.hints(id, realm: options.realmName))
        options.emit(record, table: KillSwitchView.agent)
    }
}

import ArgumentParser
import HeraldAPI

/// `herald agent history ID`: the signed pipeline gates the agent has passed.
struct AgentHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "List the pipeline gates an agent has passed.",
        discussion: "--output json prints the gates as the server records them, signatures included.")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Agent id.") var id: String

    func validate() throws { try AgentTable.checkAgentID(id) }

    func run() async throws {
        let session = try options.connect()
        let record = try await session.call(.GET, options.path("agents", id, "lifecycle"), as: AdminLifecycle.self,
                                            hints: LifecycleView.hints(id, realm: options.realmName))
        if options.output == .json {
            Console.write((record.json["gates"] ?? .array([])).rendered())
        } else {
            Console.write(LifecycleView.history(record.value))
        }
    }
}

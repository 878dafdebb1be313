import ArgumentParser
import HeraldAPI

/// `herald agent explain ID`: how the trust score adds up and how the level follows.
struct AgentExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain", abstract: "Explain an agent's trust score and effective level.",
        discussion: """
            Lists each score component with its weight, value (0–100), points and what the value \
            is based on; the points add up to the trust score. Then the directory's level, the \
            effective level under the realm's trust_policy, and any refusal (kill switch, stage).
            """)

    @OptionGroup var options: AdminOptions
    @Argument(help: "Agent id.") var id: String

    func validate() throws { try AgentTable.checkAgentID(id) }

    func run() async throws {
        let session = try options.connect()
        let record = try await session.call(.GET, options.path("agents", id, "lifecycle"), as: AdminLifecycle.self,
                                            hints: LifecycleView.hints(id, realm: options.realmName))
        options.emit(AdminAnswer(json: LifecycleView.explanation(record.json), value: record.value),
                     table: LifecycleView.explain)
    }
}

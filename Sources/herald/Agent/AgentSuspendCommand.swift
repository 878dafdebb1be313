import ArgumentParser
import HeraldAPI

/// `herald agent suspend ID --reason R`: stops an agent until it is advanced back to the
/// stage it left.
struct AgentSuspendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suspend", abstract: "Suspend an agent (reversible with `herald agent advance`).",
        discussion: """
            A suspended agent gets no token and no passport. `herald agent advance ID --to STAGE` \
            with the stage it left (see `herald agent history`) resumes it. For an emergency stop \
            that leaves the pipeline alone, see `herald kill agent`.
            """)

    @OptionGroup var options: AdminOptions
    @Argument(help: "Agent id.") var id: String
    @Option(help: "Why (recorded in the gate and the audit chain).") var reason: String
    @Option(help: "Who decides (default: the logged-in admin client).") var approver: String?

    func validate() throws {
        try AgentTable.checkAgentID(id)
        try LifecycleView.checkText(reason, "--reason")
        if let approver { try LifecycleView.checkText(approver, "--approver", limit: 128) }
    }

    func run() async throws {
        let session = try options.connect()
        let record = try await session.call(.POST, options.path("agents", id, "suspend"),
                                            body: AdminStopRequest(reason: reason, approver: approver),
                                            as: AdminLifecycle.self, hints: LifecycleView.hints(id, realm: options.realmName))
        options.emit(record) { record in
            "suspended agent \(id): \(reason)\n" + LifecycleView.summary(record)
        }
    }
}

import ArgumentParser
import HeraldAPI

/// `herald agent revoke ID --reason R --yes`: the final stop.
struct AgentRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke an agent for good (asks for --yes).",
        discussion: """
            REVOKED is final: the agent never gets a token or a passport again and cannot be \
            advanced or revived; its passports show as revoked. To stop an agent for a while use \
            `herald agent suspend` or `herald kill agent`.
            """)

    @OptionGroup var options: AdminOptions
    @Argument(help: "Agent id.") var id: String
    @Option(help: "Why (recorded in the gate and the audit chain).") var reason: String
    @Option(help: "Who decides (default: the logged-in admin client).") var approver: String?
    @Flag(help: "Confirm: revocation cannot be undone.") var yes = false

    func validate() throws {
        try AgentTable.checkAgentID(id)
        try LifecycleView.checkText(reason, "--reason")
        if let approver { try LifecycleView.checkText(approver, "--approver", limit: 128) }
        guard yes else {
            throw ValidationError("revoking agent \(id) is final: it can never be advanced or revived again; "
                + "add --yes to revoke it, or use `herald agent suspend` to stop it for a while")
        }
    }

    func run() async throws {
        let session = try options.connect()
        let record = try await session.call(.POST, options.path("agents", id, "revoke"),
                                            body: AdminStopRequest(reason: reason, approver: approver),
                                            as: AdminLifecycle.self, hints: LifecycleView.hints(id, realm: options.realmName))
        options.emit(record) { record in
            "revoked agent \(id) for good: \(reason)\n" + LifecycleView.summary(record)
        }
    }
}

import ArgumentParser
import HeraldAPI

/// `herald agent register-code ID --code-hash sha256:…`: records the agent's code; new
/// code sends an agent past VETTING back to VETTING.
struct AgentRegisterCodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register-code", abstract: "Register an agent's code hash.",
        discussion: """
            Stages past VETTING need a registered code hash. Registering a different hash for an \
            agent past VETTING sends it back to VETTING (a gate with reason "new code hash"); the \
            same hash again changes nothing.
            """)

    @OptionGroup var options: AdminOptions
    @Argument(help: "Agent id.") var id: String
    @Option(help: "sha256: and 64 lowercase hex digits.") var codeHash: String
    @Option(help: "Who registers it (default: the logged-in admin client).") var approver: String?

    func validate() throws {
        try AgentTable.checkAgentID(id)
        try LifecycleView.checkCodeHash(codeHash)
        if let approver { try LifecycleView.checkText(approver, "--approver", limit: 128) }
    }

    func run() async throws {
        let session = try options.connect()
        let record = try await session.call(.POST, options.path("agents", id, "code"),
                                            body: AdminCodeRequest(codeHash: codeHash, approver: approver),
                                            as: AdminLifecycle.self, hints: LifecycleView.hints(id, realm: options.realmName))
        options.emit(record) { record in
            let demoted = record.gates.last.map { $0.reason == "new code hash" && $0.codeHash == codeHash } ?? false
            return "registered code hash \(codeHash) for agent \(id)"
                + (demoted ? "; new code: back to VETTING" : "") + "\n" + LifecycleView.summary(record)
        }
    }
}

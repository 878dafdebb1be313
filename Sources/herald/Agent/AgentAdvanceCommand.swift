import ArgumentParser
import HeraldAPI
import HeraldCore

/// `herald agent advance ID --to STAGE --approver NAME`: one pipeline gate, signed by the
/// realm key.
struct AgentAdvanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "advance", abstract: "Move an agent through one pipeline gate.",
        discussion: """
            The pipeline is INTAKE → VETTING → TESTING → DEV_APPROVED → PROD_APPROVED → ACTIVE, \
            one stage at a time; a suspended agent may go back to the stage it left. Stages past \
            VETTING need a registered code hash (`herald agent register-code`). Each gate is \
            recorded, signed by the realm key, in the audit chain (`herald agent history`).
            """)

    @OptionGroup var options: AdminOptions
    @Argument(help: "Agent id.") var id: String
    @Option(help: "The next stage, e.g. VETTING.") var to: String
    @Option(help: "Who approves the gate (recorded and signed).") var approver: String

    func validate() throws {
        try AgentTable.checkAgentID(id)
        try LifecycleView.checkText(approver, "--approver", limit: 128)
        let stage = LifecycleView.stageName(to)
        guard let known = PipelineStage(rawValue: stage) else {
            throw ValidationError("--to must be one of \(PipelineStage.line.map(\.rawValue).joined(separator: ", ")), not '\(to)'")
        }
        guard known != .suspended, known != .revoked else {
            throw ValidationError("use `herald agent \(known == .suspended ? "suspend" : "revoke") \(id) --reason R` to stop an agent")
        }
    }

    func run() async throws {
        let session = try options.connect()
        let record = try await session.call(
            .POST, options.path("agents", id, "advance"),
            body: AdminAdvanceRequest(to: LifecycleView.stageName(to), approver: approver), as: AdminLifecycle.self,
            hints: LifecycleView.hints(id, realm: options.realmName))
        options.emit(record) { record in
            (LifecycleView.lastGate(record).map { "passed gate \($0)\n" } ?? "") + LifecycleView.summary(record)
        }
    }
}

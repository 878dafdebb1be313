import ArgumentParser
import HeraldAPI

/// `herald agent create ID …`: adds an agent to the realm's static directory.
struct AgentCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Add an agent to the static directory.",
        discussion: "Example: herald agent create agent-ledger --name Ledger --org finance --roles mcps-l2 --groups payment-bots")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Agent id.") var id: String
    @Option(help: "Display name.") var name: String?
    @Option(help: "Organisation unit (what an org kill switch stops).") var org: String?
    @Option(help: "Comma-separated roles, e.g. mcps-l2.") var roles: String?
    @Option(help: "Comma-separated directory groups.") var groups: String?
    @Option(name: .customLong("code-hash"), help: "Hash of the agent's code, e.g. sha256:….") var codeHash: String?

    func validate() throws {
        try AgentTable.checkAgentID(id)
        try AgentTable.checkRoles(roles.map(commaList) ?? [])
        if let name, name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--name must not be empty") }
        if let org, org.isEmpty || org.contains(where: \.isWhitespace) {
            throw ValidationError("--org must be one word, e.g. finance")
        }
    }

    /// The POST body.
    var body: AdminAgent {
        AdminAgent(id: id, name: name, org: org, roles: roles.map(commaList) ?? [], groups: groups.map(commaList) ?? [],
                   codeHash: codeHash)
    }

    func run() async throws {
        let session = try options.connect()
        let created = try await session.call(.POST, options.path("agents"), body: body, as: AdminAgentView.self, hints: [
            409: "an agent with this id exists; pick another id or `herald agent rm` it first",
        ])
        options.emit(created) { "created agent \(id) (level \($0.trustLevel))" }
    }
}

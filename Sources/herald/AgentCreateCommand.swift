import ArgumentParser

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
    var body: JSONValue {
        var agent: [String: JSONValue] = [
            "id": .string(id),
            "roles": .array((roles.map(commaList) ?? []).map(JSONValue.string)),
            "groups": .array((groups.map(commaList) ?? []).map(JSONValue.string)),
        ]
        if let name { agent["name"] = .string(name) }
        if let org { agent["org"] = .string(org) }
        if let codeHash { agent["code_hash"] = .string(codeHash) }
        return .object(agent)
    }

    func run() async throws {
        let session = try options.connect()
        let created = try await session.json(.POST, options.path("agents"), body: body, hints: [
            409: "an agent with this id exists; pick another id or `herald agent rm` it first",
        ])
        if options.output == .json { Console.write(created.rendered()) } else {
            Console.write("created agent \(id)" + (created["trust_level"]?.string.map { " (level \($0))" } ?? ""))
        }
    }
}

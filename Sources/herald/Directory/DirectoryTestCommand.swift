import ArgumentParser
import HeraldAPI

/// `herald directory test --agent ID`: why an LDAP agent gets its level.
struct DirectoryTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Look an agent up in the realm's LDAP directory now and explain its level.",
        discussion: """
            Prints the service bind, the agent's entry DN, its groups with the path through nested \
            groups, the role mappings that matched, the roles, and the resulting mcps claim \
            (before trust_policy caps). The lookup bypasses the server's cache.
            """)

    @OptionGroup var options: AdminOptions
    @Option(help: "Agent id (the directory's id attribute).") var agent: String

    func validate() throws {
        guard (1...256).contains(agent.count) else { throw ValidationError("--agent must be 1–256 characters") }
    }

    func run() async throws {
        let session = try options.connect()
        let report = try await session.call(.GET, options.path("directory", "agents", agent),
                                            as: AdminDirectoryExplanation.self, hints: [
            404: "the realm has no LDAP directory (directory.ldap in its realm file)",
            503: "the LDAP server did not answer; check its URL, TLS settings and the bind account",
        ])
        options.emit(report, table: DirectoryReport.render)
    }
}

import ArgumentParser

/// `herald audit query`: one page of audit entries matching the filters.
struct AuditQueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Audit entries by time range, event type, agent and client.",
        discussion: """
            Prints one page, oldest first; when there are more, the last line says which --after \
            to pass for the next page. Example: herald audit query --from 2025-01-01T00:00:00Z \
            --type token.denied --agent agent-two
            """)

    @OptionGroup var options: AdminOptions
    @Option(help: "Entries at or after this RFC 3339 time, e.g. 2025-01-01T00:00:00Z.") var from: String?
    @Option(help: "Entries before this RFC 3339 time.") var to: String?
    @Option(help: "Event type, e.g. token.issued.") var type: String?
    @Option(help: "Agent id.") var agent: String?
    @Option(help: "Client id.") var client: String?
    @Option(help: "Entries after this sequence number (paging).") var after: Int?
    @Option(help: "Page size (at most 1000).") var limit: Int = 50

    func validate() throws {
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, AuditTable.timestamp(value) == nil {
                throw ValidationError("\(name) must be an RFC 3339 time such as 2025-01-31T12:00:00Z, not \(value)")
            }
        }
        if let after, after < 0 { throw ValidationError("--after must be 0 or more") }
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000") }
    }

    func run() async throws {
        let session = try options.connect()
        let query = AdminClient.query([
            ("from", from.flatMap(AuditTable.timestamp)), ("to", to.flatMap(AuditTable.timestamp)), ("type", type),
            ("agent", agent), ("client", client), ("after", after.map(String.init)), ("limit", String(limit)),
        ])
        let page = try await session.json(.GET, options.path("audit") + query)
        options.emit(page) { page in
            var text = AuditTable.render(page["entries"]?.array ?? [])
            if let next = page["next_after"]?.int { text += "\n(more entries: add --after \(next))" }
            return text
        }
    }
}

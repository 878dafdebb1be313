import ArgumentParser

/// `herald mapping list`: the realm's role mappings.
struct MappingListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the realm's role mappings.")

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let session = try options.connect()
        let mappings = try await session.json(.GET, options.path("role-mappings"))
        options.emit(mappings, table: MappingTable.render)
    }
}

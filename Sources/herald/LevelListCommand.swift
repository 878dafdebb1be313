import ArgumentParser

/// `herald level list`: the level table with the realm's overrides applied.
struct LevelListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Show the realm's level table.")

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let session = try options.connect()
        options.emit(try await session.json(.GET, options.path("levels")), table: LevelTableView.render)
    }
}

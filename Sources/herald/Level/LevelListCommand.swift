import ArgumentParser
import HeraldAPI

/// `herald level list`: the level table with the realm's overrides applied.
struct LevelListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Show the realm's level table.")

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let session = try options.connect()
        options.emit(try await session.call(.GET, options.path("levels"), as: AdminLevelTable.self), table: LevelTableView.render)
    }
}

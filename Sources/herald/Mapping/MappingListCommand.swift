import ArgumentParser
import HeraldAPI

/// `herald mapping list`: the realm's role mappings.
struct MappingListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the realm's role mappings.")

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let session = try options.connect()
        let mappings = try await session.call(.GET, options.path("role-mappings"), as: AdminRoleMappingList.self)
        options.emit(mappings, table: MappingTable.render)
    }
}

import ArgumentParser
import HeraldAPI

/// `herald mapping …`: the realm's role mappings (group → role).
struct MappingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mapping", abstract: "List and change role mappings (directory group → role).",
        subcommands: [MappingListCommand.self, MappingSetCommand.self, MappingRemoveCommand.self])
}

/// Table rendering of role mappings.
enum MappingTable {
    static func render(_ list: AdminRoleMappingList) -> String {
        let rows = list.roleMappings.map { [$0.id ?? "", $0.group, $0.role] }
        return renderTable(["ID", "GROUP", "ROLE"], rows)
    }
}

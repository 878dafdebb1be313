import ArgumentParser

/// `herald mapping …`: the realm's role mappings (group → role).
struct MappingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mapping", abstract: "List and change role mappings (directory group → role).",
        subcommands: [MappingListCommand.self, MappingSetCommand.self, MappingRemoveCommand.self])
}

/// Table rendering of role mappings.
enum MappingTable {
    static func render(_ json: JSONValue) -> String {
        let rows = (json["role_mappings"]?.array ?? []).map { mapping in
            [mapping["id"]?.cell ?? "", mapping["group"]?.cell ?? "", mapping["role"]?.cell ?? ""]
        }
        return renderTable(["ID", "GROUP", "ROLE"], rows)
    }
}

import ArgumentParser

/// `herald level …`: the realm's level table (what each trust level allows).
struct LevelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "level", abstract: "Show and change the realm's level table.",
        subcommands: [LevelListCommand.self, LevelSetCommand.self])
}

/// Table rendering of the level table.
enum LevelTableView {
    static func render(_ json: JSONValue) -> String {
        let levels = json.object ?? [:]
        let rows = levels.keys.sorted().map { name -> [String] in
            let row = levels[name] ?? .null
            return [name, row["label"]?.cell ?? "", row["payment_enabled"]?.cell ?? "", row["tx_limit"]?.cell ?? "",
                    row["day_limit"]?.cell ?? "", row["earned_at_score"]?.cell ?? "", row["scopes"]?.cell ?? ""]
        }
        return renderTable(["LEVEL", "LABEL", "PAYMENT", "TX LIMIT", "DAY LIMIT", "EARNED AT", "SCOPES"], rows)
    }
}

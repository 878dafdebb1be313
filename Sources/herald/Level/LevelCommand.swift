import ArgumentParser
import HeraldAPI

/// `herald level …`: the realm's level table (what each trust level allows).
struct LevelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "level", abstract: "Show and change the realm's level table.",
        subcommands: [LevelListCommand.self, LevelSetCommand.self])
}

/// Table rendering of the level table.
enum LevelTableView {
    static func render(_ levels: AdminLevelTable) -> String {
        let rows = levels.sorted { $0.key < $1.key }.map { name, row -> [String] in
            [name, row.label, String(row.paymentEnabled), String(row.txLimit), String(row.dayLimit),
             String(row.earnedAtScore), row.scopes.joined(separator: ",")]
        }
        return renderTable(["LEVEL", "LABEL", "PAYMENT", "TX LIMIT", "DAY LIMIT", "EARNED AT", "SCOPES"], rows)
    }
}

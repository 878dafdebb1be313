import ArgumentParser
import HeraldAPI
import HeraldCore

/// `herald level set L2 --tx-limit 200 …`: overrides cells of one level's row.
struct LevelSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Change cells of one level; the others keep their values.",
        discussion: "Example: herald level set L2 --tx-limit 200 --day-limit 1000 --scopes payment_initiate,sanctions_screen")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Level: L0, L1, L2, L3 or L4.") var level: String
    @Option(help: "Display label, e.g. Standard.") var label: String?
    @Option(name: .customLong("payment-enabled"), help: "true|false") var paymentEnabled: Bool?
    @Option(name: .customLong("tx-limit"), help: "Largest single payment (whole units, ≥ 0).") var txLimit: Int?
    @Option(name: .customLong("day-limit"), help: "Payments per day (whole units, ≥ 0).") var dayLimit: Int?
    @Option(help: "Comma-separated scopes granted at this level (\"\" for none).") var scopes: String?
    @Option(name: .customLong("earned-at-score"), help: "Lowest trust score (0–100) that earns this level.")
    var earnedAtScore: Int?

    func validate() throws {
        guard TrustLevel(name: level) != nil else { throw ValidationError("level must be L0, L1, L2, L3 or L4, not \(level)") }
        guard label != nil || paymentEnabled != nil || txLimit != nil || dayLimit != nil || scopes != nil
            || earnedAtScore != nil
        else {
            throw ValidationError("nothing to change: give at least one of --label, --payment-enabled, --tx-limit, "
                + "--day-limit, --scopes, --earned-at-score")
        }
        if let label, label.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--label must not be empty") }
        if let txLimit, txLimit < 0 { throw ValidationError("--tx-limit must be 0 or more") }
        if let dayLimit, dayLimit < 0 { throw ValidationError("--day-limit must be 0 or more") }
        if let earnedAtScore, !(0...100).contains(earnedAtScore) {
            throw ValidationError("--earned-at-score must be between 0 and 100")
        }
        if let scopes, let bad = commaList(scopes).first(where: { $0.contains(where: \.isWhitespace) }) {
            throw ValidationError("scope '\(bad)' contains a space; separate scopes with commas")
        }
    }

    /// The PUT body: `{"L2": {only the cells given}}`.
    var body: AdminLevelPatch {
        let cells = AdminLevelCells(label: label, paymentEnabled: paymentEnabled, txLimit: txLimit, dayLimit: dayLimit,
                                    scopes: scopes.map(commaList), earnedAtScore: earnedAtScore)
        return AdminLevelPatch(levels: [TrustLevel(name: level)?.name ?? level: cells])
    }

    func run() async throws {
        let session = try options.connect()
        let table = try await session.call(.PUT, options.path("levels"), body: body, as: AdminLevelTable.self)
        options.emit(table, table: LevelTableView.render)
    }
}

/// The realm's level table: one ``LevelPolicy`` per ``TrustLevel``.
///
/// Defaults are wire-formats §2; a realm may override every cell. Default scopes are not in
/// the contract's table: they grow by level so that a realm that sets none still issues
/// useful, least-privilege tokens (docs/configuration.md lists them).
public struct LevelTable: Sendable, Hashable, Codable {
    private var rows: [TrustLevel: LevelPolicy]

    /// The contract's default table.
    public static let defaults = LevelTable(rows: [
        .l0: LevelPolicy(label: "Untrusted", paymentEnabled: false, txLimit: 0, dayLimit: 0,
                         scopes: [], earnedAtScore: 0),
        .l1: LevelPolicy(label: "Restricted", paymentEnabled: true, txLimit: 10, dayLimit: 50,
                         scopes: ["sanctions_screen"], earnedAtScore: 20),
        .l2: LevelPolicy(label: "Standard", paymentEnabled: true, txLimit: 100, dayLimit: 500,
                         scopes: ["payment_initiate", "sanctions_screen"], earnedAtScore: 40),
        .l3: LevelPolicy(label: "Elevated", paymentEnabled: true, txLimit: 1000, dayLimit: 5000,
                         scopes: ["payment_initiate", "payment_approve", "sanctions_screen"], earnedAtScore: 60),
        .l4: LevelPolicy(label: "Full Access", paymentEnabled: true, txLimit: 50000, dayLimit: 200_000,
                         scopes: ["payment_initiate", "payment_approve", "sanctions_screen", "treasury_manage"],
                         earnedAtScore: 80),
    ])

    private init(rows: [TrustLevel: LevelPolicy]) { self.rows = rows }

    /// The default table with `overrides` applied cell by cell.
    public init(overrides: [TrustLevel: LevelPolicyOverride]) {
        var rows = Self.defaults.rows
        for (level, override) in overrides {
            rows[level] = override.applied(to: rows[level]!)
        }
        self.rows = rows
    }

    public subscript(level: TrustLevel) -> LevelPolicy {
        // Every level has a row: both initialisers start from the full default table.
        rows[level]!
    }

    /// The level whose score band contains `score` (0–100).
    public func earnedLevel(forScore score: Int) -> TrustLevel {
        TrustLevel.allCases.last { self[$0].earnedAtScore <= score } ?? .l0
    }

    /// The `mcps` claim for a principal at `level`.
    public func claim(for level: TrustLevel) -> MCPSClaim {
        let row = self[level]
        return MCPSClaim(
            trustLevel: level,
            trustLabel: "\(level.name) -- \(row.label)",
            paymentEnabled: row.paymentEnabled,
            txLimit: row.txLimit,
            dayLimit: row.dayLimit,
            scopes: row.scopes
        )
    }

    // Encoded as {"L0": {...}, ...} so stored realms stay readable.
    public init(from decoder: any Decoder) throws {
        let named = try [String: LevelPolicy](from: decoder)
        var rows = Self.defaults.rows
        for (name, row) in named {
            guard let level = TrustLevel(name: name) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                        debugDescription: "unknown level \(name)"))
            }
            rows[level] = row
        }
        self.rows = rows
    }

    public func encode(to encoder: any Encoder) throws {
        try Dictionary(uniqueKeysWithValues: rows.map { ($0.key.name, $0.value) }).encode(to: encoder)
    }
}

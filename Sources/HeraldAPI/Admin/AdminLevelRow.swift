/// One level of `GET|PUT /admin/realms/{r}/levels`, the realm's overrides applied. The
/// table is keyed by level name (`L0`…`L4`): ``AdminLevelTable``.
package struct AdminLevelRow: Codable, Sendable, Equatable {
    package var label: String
    package var paymentEnabled: Bool
    package var txLimit: Int
    package var dayLimit: Int
    package var scopes: [String]
    package var earnedAtScore: Int

    package init(label: String, paymentEnabled: Bool, txLimit: Int, dayLimit: Int, scopes: [String], earnedAtScore: Int) {
        self.label = label
        self.paymentEnabled = paymentEnabled
        self.txLimit = txLimit
        self.dayLimit = dayLimit
        self.scopes = scopes
        self.earnedAtScore = earnedAtScore
    }

    enum CodingKeys: String, CodingKey {
        case label, scopes
        case paymentEnabled = "payment_enabled"
        case txLimit = "tx_limit"
        case dayLimit = "day_limit"
        case earnedAtScore = "earned_at_score"
    }
}

/// The level table of the admin API: level name → row.
package typealias AdminLevelTable = [String: AdminLevelRow]

/// Cells of one level, as the realm file's `levels.Ln` holds them: the realm's overrides in
/// an edit, the cells to change in `PUT /admin/realms/{r}/levels`. A cell left out keeps
/// its value; the ranges are the realm-file loader's to check.
package struct AdminLevelCells: Codable, Sendable, Equatable, AdminBodyExpectation {
    package var label: String?
    package var paymentEnabled: Bool?
    package var txLimit: Int?
    package var dayLimit: Int?
    package var scopes: [String]?
    package var earnedAtScore: Int?

    package static var expectation: String { "an object of cells" }

    package init(label: String? = nil, paymentEnabled: Bool? = nil, txLimit: Int? = nil, dayLimit: Int? = nil,
                 scopes: [String]? = nil, earnedAtScore: Int? = nil) {
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

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        label = try container.decodeIfPresent(String.self, forKey: .label)
        txLimit = try container.decodeIfPresent(Int.self, forKey: .txLimit)
        dayLimit = try container.decodeIfPresent(Int.self, forKey: .dayLimit)
        scopes = try container.decodeIfPresent([String].self, forKey: .scopes)
        earnedAtScore = try container.decodeIfPresent(Int.self, forKey: .earnedAtScore)
        // The realm file also spells a boolean as a word (`on`, `yes`), and the loader reads
        // JSON text as YAML: the words stay accepted here.
        if container.contains(.paymentEnabled), let word = try? container.decode(String.self, forKey: .paymentEnabled) {
            switch word.lowercased() {
            case "true", "on", "yes": paymentEnabled = true
            case "false", "off", "no": paymentEnabled = false
            default:
                throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath + [CodingKeys.paymentEnabled],
                                                        debugDescription: "expected true or false"))
            }
        } else {
            paymentEnabled = try container.decodeIfPresent(Bool.self, forKey: .paymentEnabled)
        }
    }

    /// These cells over `base`: a cell set here wins.
    package func merged(over base: AdminLevelCells) -> AdminLevelCells {
        AdminLevelCells(label: label ?? base.label, paymentEnabled: paymentEnabled ?? base.paymentEnabled,
                        txLimit: txLimit ?? base.txLimit, dayLimit: dayLimit ?? base.dayLimit,
                        scopes: scopes ?? base.scopes, earnedAtScore: earnedAtScore ?? base.earnedAtScore)
    }
}

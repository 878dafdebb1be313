/// What one trust level allows: one row of the level table (wire-formats §2).
public struct LevelPolicy: Sendable, Hashable, Codable {
    public var label: String
    public var paymentEnabled: Bool
    public var txLimit: Int
    public var dayLimit: Int
    /// Capabilities granted at this level; also the upper bound of a token's `scope`.
    public var scopes: [String]
    /// The lowest trust score that earns this level.
    public var earnedAtScore: Int

    public init(label: String, paymentEnabled: Bool, txLimit: Int, dayLimit: Int, scopes: [String], earnedAtScore: Int) {
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

/// A partial row: the cells a realm overrides. Nil cells keep the default.
public struct LevelPolicyOverride: Sendable, Hashable, Codable {
    public var label: String?
    public var paymentEnabled: Bool?
    public var txLimit: Int?
    public var dayLimit: Int?
    public var scopes: [String]?
    public var earnedAtScore: Int?

    public init(label: String? = nil, paymentEnabled: Bool? = nil, txLimit: Int? = nil, dayLimit: Int? = nil,
                scopes: [String]? = nil, earnedAtScore: Int? = nil) {
        self.label = label
        self.paymentEnabled = paymentEnabled
        self.txLimit = txLimit
        self.dayLimit = dayLimit
        self.scopes = scopes
        self.earnedAtScore = earnedAtScore
    }

    /// The same member names as a full row.
    typealias CodingKeys = LevelPolicy.CodingKeys

    /// The default row with this override's cells applied.
    public func applied(to base: LevelPolicy) -> LevelPolicy {
        LevelPolicy(
            label: label ?? base.label,
            paymentEnabled: paymentEnabled ?? base.paymentEnabled,
            txLimit: txLimit ?? base.txLimit,
            dayLimit: dayLimit ?? base.dayLimit,
            scopes: scopes ?? base.scopes,
            earnedAtScore: earnedAtScore ?? base.earnedAtScore
        )
    }
}

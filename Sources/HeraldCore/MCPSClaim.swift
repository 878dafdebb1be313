/// The `mcps` claim carried by access tokens (wire-formats §2), the shape a Keycloak
/// protocol mapper produces for roles `mcps-l0` … `mcps-l4`.
public struct MCPSClaim: Sendable, Hashable, Codable {
    public var trustLevel: TrustLevel
    /// `"L<n> -- <label>"`.
    public var trustLabel: String
    public var paymentEnabled: Bool
    public var txLimit: Int
    public var dayLimit: Int
    /// The level's scopes; on the wire they are joined with commas.
    public var scopes: [String]

    public init(trustLevel: TrustLevel, trustLabel: String, paymentEnabled: Bool, txLimit: Int, dayLimit: Int,
                scopes: [String]) {
        self.trustLevel = trustLevel
        self.trustLabel = trustLabel
        self.paymentEnabled = paymentEnabled
        self.txLimit = txLimit
        self.dayLimit = dayLimit
        self.scopes = scopes
    }

    enum CodingKeys: String, CodingKey {
        case trustLevel = "trust_level"
        case trustLabel = "trust_label"
        case paymentEnabled = "payment_enabled"
        case txLimit = "tx_limit"
        case dayLimit = "day_limit"
        case scopes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let raw = try c.decode(Int.self, forKey: .trustLevel)
        guard let level = TrustLevel(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(forKey: .trustLevel, in: c, debugDescription: "level \(raw) outside 0–4")
        }
        trustLevel = level
        trustLabel = try c.decode(String.self, forKey: .trustLabel)
        paymentEnabled = try c.decode(Bool.self, forKey: .paymentEnabled)
        txLimit = try c.decode(Int.self, forKey: .txLimit)
        dayLimit = try c.decode(Int.self, forKey: .dayLimit)
        let joined = try c.decode(String.self, forKey: .scopes)
        scopes = joined.isEmpty ? [] : joined.split(separator: ",").map(String.init)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(trustLevel.rawValue, forKey: .trustLevel)
        try c.encode(trustLabel, forKey: .trustLabel)
        try c.encode(paymentEnabled, forKey: .paymentEnabled)
        try c.encode(txLimit, forKey: .txLimit)
        try c.encode(dayLimit, forKey: .dayLimit)
        try c.encode(scopes.joined(separator: ","), forKey: .scopes)
    }
}

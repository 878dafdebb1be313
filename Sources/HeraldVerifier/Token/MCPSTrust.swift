import HeraldCore

/// The `mcps` claim of a Herald access token (wire-formats §2), as present: the level is
/// required, every other member is read when the issuer wrote it.
public struct MCPSTrust: Sendable, Hashable {
    /// `trust_level`, L0–L4.
    public let level: TrustLevel
    /// `trust_label`, `"L<n> -- <label>"`.
    public let label: String?
    /// `payment_enabled`.
    public let paymentEnabled: Bool?
    /// `tx_limit`: the largest single payment.
    public let transactionLimit: Int64?
    /// `day_limit`: the payments allowed per day.
    public let dailyLimit: Int64?
    /// `scopes`, split at commas (the claim joins them with commas).
    public let scopes: [String]
    /// `trust_score`, 0–100, once the agent lifecycle exists.
    public let trustScore: Int64?
    /// `pipeline_stage` (`ACTIVE`, …), once the agent lifecycle exists.
    public let pipelineStage: String?

    /// A claim value, for tests and for relying parties that build one from another source.
    public init(level: TrustLevel, label: String? = nil, paymentEnabled: Bool? = nil, transactionLimit: Int64? = nil,
                dailyLimit: Int64? = nil, scopes: [String] = [], trustScore: Int64? = nil, pipelineStage: String? = nil) {
        self.level = level
        self.label = label
        self.paymentEnabled = paymentEnabled
        self.transactionLimit = transactionLimit
        self.dailyLimit = dailyLimit
        self.scopes = scopes
        self.trustScore = trustScore
        self.pipelineStage = pipelineStage
    }
}

import Foundation

/// What Herald keeps about a passport it issued: enough to answer MCPS `/api/verify`.
public struct PassportRecord: Sendable, Hashable, Codable {
    public enum Format: String, Sendable, Hashable, Codable { case jwt, mcps }

    /// `asp_` + 32 lowercase hex digits.
    public var id: String
    public var realm: String
    public var agentID: String
    public var format: Format
    public var issuedAt: Date
    public var expiresAt: Date
    public var trustLevel: TrustLevel
    /// The status-list entry the passport refers to (its agent's).
    public var statusIndex: Int

    public init(id: String, realm: String, agentID: String, format: Format, issuedAt: Date, expiresAt: Date,
                trustLevel: TrustLevel, statusIndex: Int) {
        self.id = id
        self.realm = realm
        self.agentID = agentID
        self.format = format
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.trustLevel = trustLevel
        self.statusIndex = statusIndex
    }

    enum CodingKeys: String, CodingKey {
        case id, realm, format
        case agentID = "agent_id"
        case issuedAt = "issued_at"
        case expiresAt = "expires_at"
        case trustLevel = "trust_level"
        case statusIndex = "status_index"
    }
}

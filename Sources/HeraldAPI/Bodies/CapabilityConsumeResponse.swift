import Foundation
import HeraldCore

/// The answer of `POST {issuer}/capabilities/consume` when the capability was consumed by
/// this call (200): what the resource server may now execute, once.
public struct CapabilityConsumeResponse: Sendable, Hashable, Codable {
    /// Always true: a refusal is an error answer.
    public var consumed: Bool
    public var jti: String
    public var agentID: String
    public var clientID: String
    /// The one RFC 9396 object the capability grants.
    public var authorizationDetails: [AuthorizationDetailBody]
    /// Seconds since 1970.
    public var consumedAt: Int

    public init(jti: String, agentID: String, clientID: String, detail: AuthorizationDetail, consumedAt: Date) {
        consumed = true
        self.jti = jti
        self.agentID = agentID
        self.clientID = clientID
        authorizationDetails = [AuthorizationDetailBody(detail)]
        self.consumedAt = Int(consumedAt.timeIntervalSince1970)
    }

    enum CodingKeys: String, CodingKey {
        case consumed, jti
        case agentID = "agent_id"
        case clientID = "client_id"
        case authorizationDetails = "authorization_details"
        case consumedAt = "consumed_at"
    }
}

/// The body of `POST {issuer}/capabilities/revoke` (docs/action-authority.md): the
/// capability token to revoke.
public struct CapabilityRevokeRequest: Sendable, Hashable, Codable {
    public var capability: String

    public init(capability: String) { self.capability = capability }

    enum CodingKeys: String, CodingKey { case capability }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        capability = try container.requiredNonEmptyString(.capability)
    }
}

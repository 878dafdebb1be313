/// The body of `POST {issuer}/capabilities/consume` (docs/action-authority.md): the
/// capability token, and optionally what the resource server is about to execute; each of
/// `action`, `identifier` and `location` given must match the token, or nothing is consumed.
public struct CapabilityConsumeRequest: Sendable, Hashable, Codable {
    public var capability: String
    public var action: String?
    public var identifier: String?
    public var location: String?

    public init(capability: String, action: String? = nil, identifier: String? = nil, location: String? = nil) {
        self.capability = capability
        self.action = action
        self.identifier = identifier
        self.location = location
    }

    enum CodingKeys: String, CodingKey { case capability, action, identifier, location }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        capability = try container.requiredNonEmptyString(.capability)
        action = try container.bodyMember(.action, "a string")
        identifier = try container.bodyMember(.identifier, "a string")
        location = try container.bodyMember(.location, "a string")
    }
}

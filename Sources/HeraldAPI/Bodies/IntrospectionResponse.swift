/// The answer of token introspection, RFC 7662 §2.2: `{"active": false}` and nothing more,
/// or the token's claims with `active: true` and `token_type`; a federation peer's token
/// also has `foreign`, `federated_from` (the peer) and `local_trust_level` (the level
/// granted here).
public struct IntrospectionResponse: Sendable, Hashable, Codable {
    public var active: Bool
    public var tokenType: String?
    public var foreign: Bool?
    public var federatedFrom: String?
    public var localTrustLevel: Int?
    /// The token's other claims, as the token carries them.
    public var claims: [String: OpaqueJSON]

    /// RFC 7662 §2.2: an inactive (or unknown, or revoked) token says nothing else.
    public static let inactive = IntrospectionResponse(active: false, claims: [:])

    public init(active: Bool, tokenType: String? = nil, foreign: Bool? = nil, federatedFrom: String? = nil,
                localTrustLevel: Int? = nil, claims: [String: OpaqueJSON]) {
        self.active = active
        self.tokenType = tokenType
        self.foreign = foreign
        self.federatedFrom = federatedFrom
        self.localTrustLevel = localTrustLevel
        self.claims = claims
    }

    /// An active token's answer: its claims with `active` and `token_type: Bearer`.
    public static func active(claims: [String: OpaqueJSON]) -> IntrospectionResponse {
        IntrospectionResponse(active: true, tokenType: "Bearer", claims: claims)
    }

    static let activeKey = "active", tokenTypeKey = "token_type", foreignKey = "foreign"
    static let federatedFromKey = "federated_from", localTrustLevelKey = "local_trust_level"

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: BodyCodingKey.self)
        var claims: [String: OpaqueJSON] = [:]
        for key in container.allKeys { claims[key.stringValue] = try container.decode(OpaqueJSON.self, forKey: key) }
        guard case .bool(let active) = claims.removeValue(forKey: Self.activeKey) else {
            throw BodyError("active must be true or false")
        }
        self.active = active
        tokenType = claims.removeValue(forKey: Self.tokenTypeKey)?.string
        if case .bool(let foreign) = claims.removeValue(forKey: Self.foreignKey) { self.foreign = foreign }
        federatedFrom = claims.removeValue(forKey: Self.federatedFromKey)?.string
        localTrustLevel = claims.removeValue(forKey: Self.localTrustLevelKey)?.int.map { Int($0) }
        self.claims = claims
    }

    /// The claims, then the members above in their place (a claim of the same name is
    /// replaced, as `active` must be this answer's, not the token's).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: BodyCodingKey.self)
        var members = claims
        members[Self.activeKey] = .bool(active)
        if let tokenType { members[Self.tokenTypeKey] = .string(tokenType) }
        if let foreign { members[Self.foreignKey] = .bool(foreign) }
        if let federatedFrom { members[Self.federatedFromKey] = .string(federatedFrom) }
        if let localTrustLevel { members[Self.localTrustLevelKey] = .int(Int64(localTrustLevel)) }
        for (name, value) in members { try container.encode(value, forKey: BodyCodingKey(name)) }
    }
}

/// An upstream identity provider of a realm (`upstream_idps:` in the realm file): its
/// tokens are taken as RFC 8693 `subject_token` and become this realm's tokens with the
/// `mcps` claim, at the level its roles map to (docs/connect-your-idp.md).
public struct UpstreamIdP: Sendable, Hashable, Codable {
    /// One upstream role or group and the level it grants.
    public struct LevelMapping: Sendable, Hashable, Codable {
        /// The value as it appears in the roles claim (a role, group name, group id or scope).
        public var upstream: String
        public var level: TrustLevel

        public init(upstream: String, level: TrustLevel) {
            self.upstream = upstream
            self.level = level
        }
    }

    /// The IdP's issuer URL; a token's `iss` must equal it exactly.
    public var issuer: String
    /// Where the IdP publishes its signing keys; nil when they are inline (`jwks`).
    public var jwksURI: String?
    /// The IdP's key set as JSON text, when given inline.
    public var jwks: String?
    /// A token's `aud` must contain one of these.
    public var audience: [String]
    /// Dotted JSON path of the claim naming the subject (default `sub`).
    public var subjectClaim: String
    /// Dotted JSON path of the roles (`realm_access.roles`, `roles`, `groups`, `scope`).
    public var rolesClaim: String
    public var roleMappings: [LevelMapping]
    /// The highest level this IdP's subjects get, whatever their roles.
    public var maxLevel: TrustLevel?
    /// The local clients that may exchange this IdP's tokens (act for its subjects).
    public var mayAct: [String]

    public init(issuer: String, jwksURI: String? = nil, jwks: String? = nil, audience: [String],
                subjectClaim: String = "sub", rolesClaim: String, roleMappings: [LevelMapping],
                maxLevel: TrustLevel? = nil, mayAct: [String]) {
        self.issuer = issuer
        self.jwksURI = jwksURI
        self.jwks = jwks
        self.audience = audience
        self.subjectClaim = subjectClaim
        self.rolesClaim = rolesClaim
        self.roleMappings = roleMappings
        self.maxLevel = maxLevel
        self.mayAct = mayAct
    }

    /// The level `roles` give: the highest mapped one, capped by ``maxLevel``; nil when no
    /// role is mapped.
    public func level(for roles: [String]) -> TrustLevel? {
        let mapped = roleMappings.filter { roles.contains($0.upstream) }.map(\.level).max()
        guard let mapped else { return nil }
        return maxLevel.map { min($0, mapped) } ?? mapped
    }

    enum CodingKeys: String, CodingKey {
        case issuer, jwks, audience
        case jwksURI = "jwks_uri"
        case subjectClaim = "subject_claim"
        case rolesClaim = "roles_claim"
        case roleMappings = "role_mappings"
        case maxLevel = "max_level"
        case mayAct = "may_act"
    }
}

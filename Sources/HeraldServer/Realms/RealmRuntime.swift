import Foundation
import HeraldCore
import HeraldJOSE

/// One realm as the request path needs it: the stored configuration plus everything that
/// can be worked out once (URLs, level table, each client's principal, level and the
/// invariant part of its token claims). Immutable; replaced whole when the realm changes.
public struct RealmRuntime: Sendable {
    public let config: RealmConfig
    public let issuer: String
    public let tokenEndpoint: String
    public let jwksURI: String
    public let keyRing: KeyRing
    public let levelTable: LevelTable
    let profiles: [String: ClientProfile]

    public var name: String { config.name }

    init(config: RealmConfig, publicURL: String, keyRing: KeyRing) throws {
        self.config = config
        issuer = "\(publicURL)/realms/\(config.name)"
        tokenEndpoint = "\(issuer)/protocol/openid-connect/token"
        jwksURI = "\(issuer)/.well-known/agent-trust-keys"
        self.keyRing = keyRing
        levelTable = config.levelTable
        let mapper = RoleMapper(mappings: config.roleMappings)
        let agents = Dictionary(config.agents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var profiles: [String: ClientProfile] = [:]
        for client in config.clients {
            guard let agent = agents[client.subject] else {
                throw HeraldError(.invalidConfiguration,
                                  "client \(client.clientID) of realm \(config.name) acts as unknown agent \(client.subject)")
            }
            profiles[client.clientID] = try ClientProfile(client: client, agent: agent, mapper: mapper,
                                                          levels: levelTable, issuer: issuer)
        }
        self.profiles = profiles
    }

    func profile(clientID: String) -> ClientProfile? { profiles[clientID] }

    /// JWKS `Cache-Control` max-age: never longer than the publish-ahead time, so a relying
    /// party's cached key set always contains a new key before that key signs.
    public var jwksMaxAge: Int { min(config.keyPublishAheadSeconds, 600) }
}

/// A client with its principal resolved and its token's invariant claims pre-encoded.
struct ClientProfile: Sendable {
    let client: Client
    let agent: Principal
    let roles: [String]
    let level: TrustLevel
    let claim: MCPSClaim
    /// Scopes the client may be granted: its level's scopes, narrowed by its own list.
    let allowedScopes: [String]
    /// Parsed `private_key_jwt` keys.
    let keys: [PublicJWK]
    /// `"iss":…,"sub":…,"aud":…,"client_id":…,"realm_access":…,"mcps":…` without braces.
    let invariantClaims: [UInt8]

    init(client: Client, agent: Principal, mapper: RoleMapper, levels: LevelTable, issuer: String) throws {
        self.client = client
        self.agent = agent
        roles = mapper.effectiveRoles(of: agent)
        level = RoleMapper.level(of: roles)
        claim = levels.claim(for: level)
        let levelScopes = claim.scopes
        allowedScopes = client.scopes.map { own in levelScopes.filter(own.contains) } ?? levelScopes
        keys = try client.jwks.map { try PublicJWK.parseSet(json: Data($0.utf8)) } ?? []

        var writer = JSONWriter()
        writer.beginObject()
        writer.member("iss", issuer)
        writer.member("sub", agent.id)
        let audience = client.audience ?? [issuer]
        if audience.count == 1 { writer.member("aud", audience[0]) } else { writer.member("aud", strings: audience) }
        writer.member("client_id", client.clientID)
        writer.key("realm_access")
        writer.beginObject()
        writer.member("roles", strings: roles)
        writer.endObject()
        writer.key("mcps")
        writer.beginObject()
        writer.member("trust_level", claim.trustLevel.rawValue)
        writer.member("trust_label", claim.trustLabel)
        writer.member("payment_enabled", claim.paymentEnabled)
        writer.member("tx_limit", claim.txLimit)
        writer.member("day_limit", claim.dayLimit)
        writer.member("scopes", claim.scopes.joined(separator: ","))
        writer.endObject()
        writer.endObject()
        // Drop the outer braces: the issuer appends per-token members before closing.
        invariantClaims = Array(writer.bytes.dropFirst().dropLast())
    }
}

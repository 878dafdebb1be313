import Foundation
import HeraldCore
import HeraldJOSE
import Synchronization

/// One realm as the request path needs it: the stored configuration plus everything that
/// can be worked out once (URLs, level table, each client's keys and, for the static
/// directory, its principal and the invariant part of its token claims). Immutable;
/// replaced whole when the realm changes.
public struct RealmRuntime: Sendable {
    public let config: RealmConfig
    public let issuer: String
    public let tokenEndpoint: String
    public let jwksURI: String
    /// The realm's one token status list (wire-formats §8).
    public let statusListURI: String
    public let keyRing: KeyRing
    public let levelTable: LevelTable
    /// The brute-force limits in force (the realm's `brute_force`, else the defaults).
    public let bruteForce: BruteForceSettings
    package let mapper: RoleMapper
    /// Where principals are looked up per request; nil when the realm file's static directory
    /// is resolved once, here.
    package let directory: (any DirectoryConnector)?
    package let profiles: [String: ClientProfile]
    /// The last principal resolved per client, for directory-backed realms.
    package let resolved = ResolvedPrincipalCache()

    public var name: String { config.name }

    package init(config: RealmConfig, publicURL: String, keyRing: KeyRing, directory: (any DirectoryConnector)? = nil) throws {
        self.config = config
        issuer = "\(publicURL)/realms/\(config.name)"
        tokenEndpoint = "\(issuer)/protocol/openid-connect/token"
        jwksURI = "\(issuer)/.well-known/agent-trust-keys"
        statusListURI = "\(issuer)/statuslists/1"
        self.keyRing = keyRing
        self.directory = directory
        levelTable = config.levelTable
        bruteForce = config.effectiveBruteForce
        mapper = RoleMapper(mappings: config.roleMappings)
        let agents = Dictionary(config.agents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var profiles: [String: ClientProfile] = [:]
        for client in config.clients {
            var fixed: ResolvedPrincipal?
            if directory == nil {
                guard let agent = agents[client.subject] else {
                    throw HeraldError(.invalidConfiguration,
                                      "client \(client.clientID) of realm \(config.name) acts as unknown agent \(client.subject)")
                }
                fixed = ResolvedPrincipal(principal: agent, client: client, mapper: mapper, issuer: issuer)
            }
            profiles[client.clientID] = ClientProfile(
                client: client, keys: try client.jwks.map { try PublicJWK.parseSet(json: Data($0.utf8)) } ?? [],
                fixed: fixed)
        }
        self.profiles = profiles
    }

    package func profile(clientID: String) -> ClientProfile? { profiles[clientID] }

    /// The principal `profile` acts as, as the directory describes it now.
    package func resolve(_ profile: ClientProfile) async throws(ServiceError) -> ResolvedPrincipal {
        if let fixed = profile.fixed { return fixed }
        guard let directory else {
            throw ServiceError.invalidClient(realm: name, reason: "client \(profile.client.clientID) has no principal")
        }
        let principal: Principal?
        do { principal = try await directory.principal(id: profile.client.subject) } catch {
            throw ServiceError(.temporarilyUnavailable,
                               "the directory is not reachable; retry shortly",
                               reason: "directory lookup of \(profile.client.subject) failed: \(error)")
        }
        guard let principal else {
            throw ServiceError(.unauthorizedClient,
                               "the agent this client acts as is absent from the directory or disabled",
                               reason: "agent \(profile.client.subject) not found or disabled in the directory")
        }
        // The directory answers from its cache most of the time: reuse the encoded claims
        // while the principal is unchanged.
        if let cached = resolved.get(profile.client.clientID), cached.principal == principal { return cached }
        let fresh = ResolvedPrincipal(principal: principal, client: profile.client, mapper: mapper, issuer: issuer)
        resolved.put(profile.client.clientID, fresh)
        return fresh
    }

    /// The directory's principal `id`, or nil when there is none.
    package func principal(id: String) async throws(ServiceError) -> Principal? {
        guard let directory else { return config.agents.first { $0.id == id } }
        do { return try await directory.principal(id: id) } catch {
            throw ServiceError(.temporarilyUnavailable,
                               "the directory is not reachable; retry shortly",
                               reason: "directory lookup of \(id) failed: \(error)")
        }
    }

    /// The scopes `client` may be granted at `level`: the level's scopes, narrowed by its own list.
    package func allowedScopes(for client: Client, at level: TrustLevel) -> [String] {
        let levelScopes = levelTable[level].scopes
        return client.scopes.map { own in levelScopes.filter(own.contains) } ?? levelScopes
    }

    /// JWKS `Cache-Control` max-age: never longer than the publish-ahead time, so a relying
    /// party's cached key set always contains a new key before that key signs.
    public var jwksMaxAge: Int { min(config.keyPublishAheadSeconds, 600) }
}

/// A registered client with what can be parsed once.
package struct ClientProfile: Sendable {
    package let client: Client
    /// Parsed `private_key_jwt` keys.
    package let keys: [PublicJWK]
    /// The principal, for the static directory, resolved when the realm was loaded.
    package let fixed: ResolvedPrincipal?

    package init(client: Client, keys: [PublicJWK], fixed: ResolvedPrincipal?) {
        self.client = client
        self.keys = keys
        self.fixed = fixed
    }
}

/// A principal with its directory roles and level worked out, and the token claims that
/// follow from it and the client pre-encoded.
package struct ResolvedPrincipal: Sendable {
    package let principal: Principal
    package let roles: [String]
    /// The level the directory alone gives (before `trust_policy` caps).
    package let directoryLevel: TrustLevel
    /// `"iss":…,"sub":…,"aud":…,"client_id":…,"realm_access":…` without braces.
    package let claimsPrefix: [UInt8]

    package init(principal: Principal, client: Client, mapper: RoleMapper, issuer: String) {
        self.principal = principal
        roles = mapper.effectiveRoles(of: principal)
        directoryLevel = RoleMapper.level(of: roles)
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("iss", issuer)
        writer.member("sub", principal.id)
        Self.writeAudience(&writer, of: client, issuer: issuer)
        writer.member("client_id", client.clientID)
        writer.key("realm_access")
        writer.beginObject()
        writer.member("roles", strings: roles)
        writer.endObject()
        writer.endObject()
        // Drop the outer braces: the issuer appends per-token members before closing.
        claimsPrefix = Array(writer.bytes.dropFirst().dropLast())
    }

    /// `aud`: the client's audiences (a string when there is one), else the realm issuer.
    package static func writeAudience(_ writer: inout JSONWriter, of client: Client, issuer: String) {
        let audience = client.audience ?? [issuer]
        if audience.count == 1 { writer.member("aud", audience[0]) } else { writer.member("aud", strings: audience) }
    }
}

/// The last ``ResolvedPrincipal`` per client id; replaced with its realm runtime.
package final class ResolvedPrincipalCache: Sendable {
    private let entries = Mutex<[String: ResolvedPrincipal]>([:])

    package func get(_ clientID: String) -> ResolvedPrincipal? { entries.withLock { $0[clientID] } }
    package func put(_ clientID: String, _ principal: ResolvedPrincipal) { entries.withLock { $0[clientID] = principal } }
}

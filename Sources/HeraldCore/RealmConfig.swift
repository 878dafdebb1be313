/// Everything Herald knows about one realm, as stored after import: the domain form of a
/// realm file, with client secrets replaced by their digests.
public struct RealmConfig: Sendable, Hashable, Codable {
    /// `[a-z0-9-]{1,63}`; the issuer is `{public_url}/realms/{name}`.
    public var name: String
    public var displayName: String?
    public var tokenLifetimeSeconds: Int
    /// The first signs tokens; all are published.
    public var algorithms: [SigningAlgorithm]
    public var keyRotationSeconds: Int
    public var keyPublishAheadSeconds: Int
    /// The overrides as written, kept so that an export reproduces the file.
    public var levelOverrides: [String: LevelPolicyOverride]
    public var roleMappings: [RoleMapping]
    public var clients: [Client]
    public var agents: [Principal]
    /// Minimum level per `server/tool` for the MCP trust gate.
    public var tools: [String: TrustLevel]
    /// Level required for tools not listed; nil denies them.
    public var defaultToolLevel: TrustLevel?
    public var trustPolicy: TrustPolicy
    /// The LDAP directory (`directory.ldap`); nil when agents come from the realm file.
    public var ldap: LDAPSettings? = nil
    /// The `federation` section; nil when the realm neither publishes to nor trusts peers.
    public var federation: FederationSettings? = nil
    /// The `brute_force` section as written; nil when the file has none (the defaults apply:
    /// ``effectiveBruteForce``). Optional so realms stored before it existed still decode.
    public var bruteForce: BruteForceSettings? = nil
    /// The `upstream_idps` section: identity providers whose tokens this realm exchanges;
    /// nil when there are none. Optional so realms stored before it existed still decode.
    public var upstreamIdPs: [UpstreamIdP]? = nil
    /// The `capabilities` section (capability token lifetimes); nil when the file has none
    /// (``CapabilitySettings/defaults`` apply). Optional so realms stored before it decode.
    public var capabilities: CapabilitySettings? = nil

    public init(name: String, displayName: String? = nil, tokenLifetimeSeconds: Int = 300,
                algorithms: [SigningAlgorithm] = [.es256], keyRotationSeconds: Int = 30 * 86400,
                keyPublishAheadSeconds: Int = 600, levelOverrides: [String: LevelPolicyOverride] = [:],
                roleMappings: [RoleMapping] = [], clients: [Client] = [], agents: [Principal] = [],
                tools: [String: TrustLevel] = [:], defaultToolLevel: TrustLevel? = nil,
                trustPolicy: TrustPolicy = TrustPolicy()) {
        self.name = name
        self.displayName = displayName
        self.tokenLifetimeSeconds = tokenLifetimeSeconds
        self.algorithms = algorithms
        self.keyRotationSeconds = keyRotationSeconds
        self.keyPublishAheadSeconds = keyPublishAheadSeconds
        self.levelOverrides = levelOverrides
        self.roleMappings = roleMappings
        self.clients = clients
        self.agents = agents
        self.tools = tools
        self.defaultToolLevel = defaultToolLevel
        self.trustPolicy = trustPolicy
    }

    /// The level table with this realm's overrides.
    public var levelTable: LevelTable {
        LevelTable(overrides: Dictionary(uniqueKeysWithValues: levelOverrides.compactMap { name, row in
            TrustLevel(name: name).map { ($0, row) }
        }))
    }

    /// The brute-force limits in force: the realm's own, else ``BruteForceSettings/defaults``.
    public var effectiveBruteForce: BruteForceSettings { bruteForce ?? .defaults }

    /// The capability lifetimes in force: the realm's own, else ``CapabilitySettings/defaults``.
    public var effectiveCapabilities: CapabilitySettings { capabilities ?? .defaults }

    /// The algorithm that signs tokens.
    public var signingAlgorithm: SigningAlgorithm { algorithms.first ?? .es256 }
}

/// Optional caps on top of the directory role (wire-formats §2).
public struct TrustPolicy: Sendable, Hashable, Codable {
    /// Only `ACTIVE` agents exceed L0.
    public var pipelineRequired: Bool
    /// The level is also capped by the trust-score band.
    public var earnedLevels: Bool

    public init(pipelineRequired: Bool = false, earnedLevels: Bool = false) {
        self.pipelineRequired = pipelineRequired
        self.earnedLevels = earnedLevels
    }
}

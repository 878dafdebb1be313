import HeraldCore

/// A realm file after validation: the realm as Herald stores it, plus the clear client
/// secrets read from their files or environment, which the importer digests and drops.
public struct LoadedRealm: Sendable {
    public var config: RealmConfig
    /// Client id → clear secret, for secret-authenticated clients.
    public var secrets: [String: String]
    /// Client ids configured with an inline `secret:` (demo only; the server warns).
    public var inlineSecretClients: [String]
    /// Federation settings, validated and kept for the federation feature.
    public var federation: FederationSettings?
}

/// The realm file's `federation` section.
public struct FederationSettings: Sendable, Hashable, Codable {
    public struct Peer: Sendable, Hashable, Codable {
        public var entity: String
        public var pin: String
        public var maxLevel: TrustLevel
        public var refreshSeconds: Int?
        public var maxStalenessSeconds: Int?
    }

    public var bundleLifetimeSeconds: Int
    public var refreshHintSeconds: Int
    public var peers: [Peer]
}

import HeraldCore

/// A realm file after validation: the realm as Herald stores it, plus the clear client
/// secrets read from their files or environment, which the importer digests and drops.
public struct LoadedRealm: Sendable {
    public var config: RealmConfig
    /// Client id → clear secret, for secret-authenticated clients.
    public var secrets: [String: String]
    /// Client ids configured with an inline `secret:` (demo only; the server warns).
    public var inlineSecretClients: [String]
    /// The realm's `federation` section (stored in the config).
    public var federation: FederationSettings? { config.federation }
}

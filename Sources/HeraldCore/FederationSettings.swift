/// A realm's `federation` section (wire-formats §7, realm-file.md): how long the bundles it
/// publishes live, how often peers should refresh, and the peers it trusts.
public struct FederationSettings: Sendable, Hashable, Codable {
    /// A peer organisation, pinned by the thumbprint of its federation key.
    public struct Peer: Sendable, Hashable, Codable {
        /// The peer's entity id: its realm issuer URL.
        public var entity: String
        /// RFC 7638 thumbprint of the peer's federation key, exchanged out of band.
        public var pin: String
        /// The highest level this realm grants the peer's agents.
        public var maxLevel: TrustLevel
        /// Refresh period; nil follows the peer's `refresh_hint`.
        public var refreshSeconds: Int?
        /// Without a good bundle for this long, the peer's agents fall to L0 (default 1 h).
        public var maxStalenessSeconds: Int?

        public init(entity: String, pin: String, maxLevel: TrustLevel, refreshSeconds: Int? = nil,
                    maxStalenessSeconds: Int? = nil) {
            self.entity = entity
            self.pin = pin
            self.maxLevel = maxLevel
            self.refreshSeconds = refreshSeconds
            self.maxStalenessSeconds = maxStalenessSeconds
        }

        /// `max_staleness`, or its default of one hour.
        public var staleAfterSeconds: Int { maxStalenessSeconds ?? 3600 }

        enum CodingKeys: String, CodingKey {
            case entity, pin
            case maxLevel = "max_level"
            case refreshSeconds = "refresh"
            case maxStalenessSeconds = "max_staleness"
        }
    }

    public var bundleLifetimeSeconds: Int
    public var refreshHintSeconds: Int
    public var peers: [Peer]

    public init(bundleLifetimeSeconds: Int = 3600, refreshHintSeconds: Int = 300, peers: [Peer] = []) {
        self.bundleLifetimeSeconds = bundleLifetimeSeconds
        self.refreshHintSeconds = refreshHintSeconds
        self.peers = peers
    }

    enum CodingKeys: String, CodingKey {
        case bundleLifetimeSeconds = "bundle_lifetime"
        case refreshHintSeconds = "refresh_hint"
        case peers
    }
}

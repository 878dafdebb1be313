import Foundation

/// One committed lifecycle change of a realm, as every replica's lifecycle book must apply
/// it: the stored value itself, so applying it is a dictionary write and never a reload.
/// Codable, so a shared feed can carry it (as JSON in a change table, for one).
public struct LifecycleChange: Sendable, Hashable, Codable {
    /// What changed, with its value as stored.
    public enum Kind: Sendable, Hashable, Codable {
        /// The agent's record as stored (a gate, a code registration, an outcome, a kill).
        case agent(AgentLifecycle)
        /// The organisation's kill (nil: revived).
        case orgKill(org: String, kill: KillRecord?)
        /// A revoked access token and when it expires.
        case tokenRevoked(jti: String, expiresAt: Date)
        /// The realm's state changed in a way no single change describes (loaded, restored,
        /// or changes may have been missed): reload it whole from the store.
        case reload
    }

    /// The replica that committed the change (it has applied it already).
    public let origin: ReplicaID
    public let realm: String
    public let kind: Kind

    public init(origin: ReplicaID, realm: String, kind: Kind) {
        self.origin = origin
        self.realm = realm
        self.kind = kind
    }
}

import Foundation

/// Stored realms: the source of truth once a realm file has been imported.
public protocol RealmRepository: Sendable {
    /// Names of every stored realm, sorted.
    func realmNames() async throws -> [String]
    func realm(named name: String) async throws -> RealmConfig?
    /// Inserts or replaces the realm in one transaction.
    func save(_ realm: RealmConfig) async throws
    /// Removes the realm and everything that belongs to it.
    func deleteRealm(named name: String) async throws
}

/// What a realm's key signs: tokens, passports and gates, or (kept apart, wire-formats §7)
/// the realm's federation documents.
public enum KeyPurpose: String, Sendable, Hashable, CaseIterable {
    case token, federation
}

/// Stored signing keys.
public protocol KeyRepository: Sendable {
    /// Every key of `realm` for `purpose`, oldest first, revoked ones included.
    func keys(realm: String, purpose: KeyPurpose) async throws -> [StoredKey]
    /// Reads the realm's keys for `purpose`, lets `change` edit the set (change states, append
    /// new keys; rows are never removed) and writes the result back, all in one transaction.
    /// The result must pass ``KeyRules/check(before:after:realm:purpose:)`` (else the error is
    /// thrown and nothing is written); a `change` that throws writes nothing either. Returns
    /// the realm's keys as stored, oldest first.
    @discardableResult
    func modifyKeys(realm: String, purpose: KeyPurpose, _ change: @Sendable (inout [StoredKey]) throws -> Void)
        async throws -> [StoredKey]
}

extension KeyRepository {
    /// The realm's token keys.
    public func keys(realm: String) async throws -> [StoredKey] { try await keys(realm: realm, purpose: .token) }

    /// Edits the realm's token keys.
    @discardableResult
    public func modifyKeys(realm: String, _ change: @Sendable (inout [StoredKey]) throws -> Void) async throws
        -> [StoredKey]
    {
        try await modifyKeys(realm: realm, purpose: .token, change)
    }
}

/// Stored agent lifecycle: pipeline records, organisation kills, revoked tokens, passports.
public protocol LifecycleRepository: Sendable {
    /// Everything stored about `realm`'s lifecycle, for loading at start.
    func lifecycleState(realm: String) async throws -> RealmLifecycleState
    /// Reads the agent's record (nil when it has none), lets `change` edit or create it and
    /// writes the result, in one transaction. `nextStatusIndex` is
    /// ``LifecycleRules/nextStatusIndex(highestInUse:)`` of the realm's records; the result
    /// must pass ``LifecycleRules/check(before:after:agentID:nextStatusIndex:)`` (else the
    /// error is thrown and nothing is written). Returns the record as stored.
    @discardableResult
    func modifyAgentLifecycle(realm: String, agentID: String,
                              _ change: @Sendable (_ record: inout AgentLifecycle?, _ nextStatusIndex: Int) throws -> Void)
        async throws -> AgentLifecycle?
    /// Stops (`kill` set) or revives (`kill` nil) an organisation.
    func setOrgKill(realm: String, org: String, kill: KillRecord?) async throws
    /// Records a revoked access token until it expires; expired rows are dropped on the way.
    /// Saving a revoked token again changes nothing.
    func saveRevokedToken(realm: String, jti: String, expiresAt: Date) async throws
    func savePassport(_ passport: PassportRecord) async throws
    func passport(realm: String, id: String) async throws -> PassportRecord?
}

/// A realm's lifecycle state as loaded from the store.
public struct RealmLifecycleState: Sendable, Hashable {
    public var agents: [String: AgentLifecycle]
    public var orgKills: [String: KillRecord]
    /// Revoked token ids and when the token expires.
    public var revokedTokens: [String: Date]

    public init(agents: [String: AgentLifecycle] = [:], orgKills: [String: KillRecord] = [:],
                revokedTokens: [String: Date] = [:]) {
        self.agents = agents
        self.orgKills = orgKills
        self.revokedTokens = revokedTokens
    }
}

/// What a realm remembers about each federation peer between refreshes: its anchor (pins,
/// announced keys, last sequence) and last good bundle, as one opaque document per peer
/// (the federation module owns its format).
public protocol FederationPeerRepository: Sendable {
    /// Entity → stored state, for every peer of `realm` that has one; deleting the realm
    /// deletes them.
    func peerStates(realm: String) async throws -> [String: [UInt8]]
    /// Inserts or replaces the peer's state.
    func savePeerState(realm: String, entity: String, state: [UInt8]) async throws
    /// Forgets the peer's state; forgetting an unknown peer changes nothing.
    func deletePeerState(realm: String, entity: String) async throws
}

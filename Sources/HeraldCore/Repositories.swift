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

/// Stored signing keys.
public protocol KeyRepository: Sendable {
    /// Every key of `realm`, oldest first, revoked ones included.
    func keys(realm: String) async throws -> [StoredKey]
    /// Reads the realm's keys, lets `change` edit the set (change states, append new keys;
    /// rows are never removed) and writes the result back, all in one transaction.
    @discardableResult
    func modifyKeys(realm: String, _ change: @Sendable (inout [StoredKey]) throws -> Void) async throws
        -> [StoredKey]
}

import Foundation

/// The tamper-evident audit log: one hash chain per realm, sealed by signed checkpoints.
///
/// Requirements every backend meets (checked by HeraldTesting's `StoreConformance.auditLog`):
/// - a realm's first entry has sequence 1 and previous hash ``AuditEntry/genesisHash``; each
///   next entry has the next sequence and the previous entry's hash, with no gap, per realm;
/// - an entry's hash is the lowercase hex SHA-256 of
///   ``AuditEntry/canonicalForm(sequence:event:previousHash:)``, its time cut to whole
///   milliseconds (the stored precision), so the entry returned equals the entry read back;
/// - nothing updates or deletes entries, and deleting a realm keeps its history;
/// - `entries` applies ``AuditQuery`` as ``AuditQuery/matches(_:)`` describes, oldest first,
///   at most ``AuditQuery/effectiveLimit`` entries.
public protocol AuditLog: Sendable {
    /// Appends `event` to its realm's chain and returns once the entry is durable.
    @discardableResult
    func record(_ event: AuditEvent) async throws -> AuditEntry

    /// Entries matching `query`, oldest first.
    func entries(_ query: AuditQuery) async throws -> [AuditEntry]

    /// Seals the realm's chain so far with a signed checkpoint, or returns nil when nothing
    /// was appended since the last one (or the chain is empty).
    ///
    /// Appends an ``AuditCheckpoint/entryType`` entry at `time` (actor `system`, detail
    /// `through_seq` and `through_hash` of the entry before it), signs
    /// ``AuditCheckpoint/payload`` for THAT entry with `sign` (a compact JWS with the realm's
    /// key, `typ` ``AuditCheckpoint/jwsType``) and stores the JWS with it, atomically: a
    /// checkpoint entry without its signature never exists. If `sign` throws, nothing is
    /// appended and this throws. `sign` may run inside the write transaction: it must only
    /// compute, never wait on other work.
    func checkpoint(realm: String, at time: Date, sign: @escaping @Sendable ([UInt8]) throws -> String)
        async throws -> AuditEntry?
}

/// The audit log exactly as stored, for the offline check (`herald audit verify`, backup
/// verification): nothing is validated on the way, so the checker recomputes every hash over
/// what the store really holds.
public protocol AuditChainReader: Sendable {
    /// Every signed checkpoint stored for `realm`, in any order.
    func storedCheckpoints(realm: String) async throws -> [StoredAuditCheckpoint]

    /// Up to `limit` stored entries of `realm` with a sequence number above `after`, in
    /// sequence order. An entry whose fields do not decode is returned as
    /// ``StoredAuditRecord/undecodable(sequence:problem:)``, not thrown.
    func storedEntries(realm: String, after: Int64, limit: Int) async throws -> [StoredAuditRecord]
}

/// One stored audit entry as read back.
public enum StoredAuditRecord: Sendable, Hashable {
    /// The entry as stored.
    case entry(AuditEntry)
    /// A row at `sequence` whose fields do not decode (a field was changed).
    case undecodable(sequence: Int64, problem: String)

    /// The row's sequence number.
    public var sequence: Int64 {
        switch self {
        case .entry(let entry): entry.sequence
        case .undecodable(let sequence, _): sequence
        }
    }
}

/// A signed checkpoint as stored beside its chain entry.
public struct StoredAuditCheckpoint: Sendable, Hashable {
    /// The sequence number of the checkpoint entry.
    public var sequence: Int64
    /// The hash the row records for that entry.
    public var hash: String
    /// The compact JWS over ``AuditCheckpoint/payload``.
    public var jws: String

    /// A stored checkpoint.
    public init(sequence: Int64, hash: String, jws: String) {
        self.sequence = sequence
        self.hash = hash
        self.jws = jws
    }
}

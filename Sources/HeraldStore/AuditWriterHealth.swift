import Foundation

/// How the audit writer is doing, for readiness and metrics: what is queued, whether a
/// commit is taking too long, and how the last batches went.
public struct AuditWriterHealth: Sendable, Hashable {
    /// Entries admitted and waiting for the writer.
    public var pending: Int
    /// Callers waiting for room in the queue (non-zero only when the queue is full).
    public var waiting: Int
    /// The queue's bound (`maxPending`).
    public var maxPending: Int
    /// How long the commit in progress has been running; nil when none is.
    public var commitRunningFor: Duration?
    /// When the last batch committed.
    public var lastSuccess: Date?
    /// When a batch last failed.
    public var lastFailure: Date?
    /// Why that batch failed.
    public var lastError: String?
    /// After ``SQLiteAuditLog/shutdown()``.
    public var closed: Bool

    /// True when the last batch failed (no success since).
    public var lastBatchFailed: Bool {
        guard let lastFailure else { return false }
        return lastSuccess.map { lastFailure > $0 } ?? true
    }
}

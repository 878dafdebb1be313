import Foundation

/// How the audit writer is doing, for readiness and metrics: what is queued, whether a
/// commit is taking too long, and how the last batches went.
public struct AuditWriterHealth: Sendable, Hashable {
    /// The writer's state from its parts.
    public init(pending: Int, waiting: Int, maxPending: Int, commitRunningFor: Duration?, lastSuccess: Date?,
                lastFailure: Date?, lastError: String?, closed: Bool) {
        self.pending = pending
        self.waiting = waiting
        self.maxPending = maxPending
        self.commitRunningFor = commitRunningFor
        self.lastSuccess = lastSuccess
        self.lastFailure = lastFailure
        self.lastError = lastError
        self.closed = closed
    }

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
    /// After ``AuditLogWriter/shutdown()``.
    public var closed: Bool

    /// True when the last batch failed (no success since).
    public var lastBatchFailed: Bool {
        guard let lastFailure else { return false }
        return lastSuccess.map { lastFailure > $0 } ?? true
    }
}

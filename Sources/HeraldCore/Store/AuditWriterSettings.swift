/// How the audit writer batches (`audit.max_pending`, `audit.max_batch` in herald.yaml).
public struct AuditWriterSettings: Sendable, Hashable {
    /// Events that may wait for the writer before further `record` calls wait to be admitted.
    public static let defaultMaxPending = 100_000
    /// Most entries in one transaction, so one huge backlog cannot hold the write lock for long.
    public static let defaultMaxBatch = 10_000

    /// The queue's bound: beyond it callers wait (backpressure) instead of the queue growing.
    public var maxPending: Int
    /// The most entries one commit writes.
    public var maxBatch: Int

    /// Settings; values below 1 count as 1.
    public init(maxPending: Int = Self.defaultMaxPending, maxBatch: Int = Self.defaultMaxBatch) {
        self.maxPending = max(1, maxPending)
        self.maxBatch = max(1, maxBatch)
    }
}

import Foundation
import GRDB
import HeraldCore
import Logging
import Synchronization

/// The tamper-evident audit log in the SQLite store: one hash chain per realm, written with
/// group commit, with signed checkpoints.
///
/// `record` returns only once its entry is durable (committed with `synchronous = FULL`),
/// so a caller may answer its request knowing the entry survives a crash. Making every
/// caller pay its own fsync would cap issuance at the disk's fsync rate, so entries are
/// queued and one writer task commits everything queued as one transaction: while a commit
/// is in flight the next batch gathers, and the cost of an fsync is shared by all of it.
///
/// One instance per database: the writer caches each realm's chain head, so two logs
/// appending to the same file would collide (the second insert of a sequence number fails,
/// it never forks the chain). Nothing here updates or deletes audit rows.
public final class SQLiteAuditLog: AuditLogWriter, Sendable {
    /// Events that may wait for the writer before further `record` calls wait to be admitted.
    public static let defaultMaxPending = AuditWriterSettings.defaultMaxPending

    let store: SQLiteStore
    let logger: Logger?
    let maxPending: Int
    /// Most entries in one transaction, so one huge backlog cannot hold the write lock for long.
    let maxBatch: Int
    let state: Mutex<State>

    /// A log appending to `store`. `settings.maxPending` bounds the queue in memory: beyond
    /// it, callers wait (backpressure) instead of the queue growing without limit.
    public init(store: SQLiteStore, settings: AuditWriterSettings, logger: Logger? = nil) {
        self.store = store
        self.logger = logger
        self.maxPending = settings.maxPending
        self.maxBatch = settings.maxBatch
        self.state = Mutex(State())
    }

    /// A log appending to `store` with the default batch size and at most `maxPending` queued.
    public convenience init(store: SQLiteStore, logger: Logger? = nil, maxPending: Int = SQLiteAuditLog.defaultMaxPending) {
        self.init(store: store, settings: AuditWriterSettings(maxPending: maxPending), logger: logger)
    }

    /// Appends `event` to its realm's chain; returns the entry once its transaction has
    /// committed. Cancelling the caller does not withdraw the event: once submitted, it is
    /// written. Throws if the batch could not be written (nothing of it was) or after
    /// ``shutdown()``.
    @discardableResult
    public func record(_ event: AuditEvent) async throws -> AuditEntry {
        guard let entry = try await submit(.event(event)) else {
            throw HeraldError(.storage, "the audit writer returned no entry for a \(event.type) event")
        }
        return entry
    }

    /// Seals the realm's chain so far with a signed checkpoint, or returns nil when nothing
    /// was appended since the last one (or the chain is empty).
    ///
    /// Appends an `audit.checkpoint` entry at `time` (actor `system`, detail `through_seq`
    /// and `through_hash` of the entry before it) through the same queue as every event,
    /// then signs ``AuditCheckpoint/payload`` for THAT entry with `sign` (the server passes a
    /// closure returning a compact JWS with the realm's key, `typ` ``AuditCheckpoint/jwsType``)
    /// and stores the JWS in `audit_checkpoints`. Entry and signature commit in the same
    /// transaction: a checkpoint entry without its signature never exists, so the verifier
    /// treats one as a deleted checkpoint. If `sign` throws, nothing is appended.
    ///
    /// `sign` runs inside that write transaction, so it must only compute (fetch the realm's
    /// key before calling this), never wait on other work.
    public func checkpoint(realm: String, at time: Date, sign: @escaping @Sendable ([UInt8]) throws -> String)
        async throws -> AuditEntry?
    {
        try await submit(.checkpoint(realm: realm, time: time, sign: sign))
    }

    /// Waits until every event submitted so far is durable; the log stays open.
    public func flush() async {
        await waitUntilIdle(closing: false)
    }

    /// Waits until every submitted event is durable, then refuses new ones. Call it when the
    /// server stops; a log that is just dropped keeps no task alive (the writer exits
    /// whenever the queue is empty).
    public func shutdown() async {
        await waitUntilIdle(closing: true)
        logger?.debug("audit log shut down")
    }

    private func waitUntilIdle(closing: Bool) async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state in
                if closing { state.closed = true }
                if state.writerRunning { state.idleWaiters.append(waiter) }
                return !state.writerRunning
            }
            if idle { waiter.resume() }
        }
    }

    // MARK: - Health

    /// The writer's state now (cheap: one lock).
    public var health: AuditWriterHealth {
        let now = ContinuousClock.now
        return state.withLock { state in
            AuditWriterHealth(pending: state.pending.count, waiting: state.overflow.count, maxPending: maxPending,
                              commitRunningFor: state.commitStarted.map { now - $0 }, lastSuccess: state.lastSuccess,
                              lastFailure: state.lastFailure, lastError: state.lastError, closed: state.closed)
        }
    }

    /// Calls `observer` after every batch with the commit's duration and whether it failed
    /// (the server's write-latency histogram). One observer; a later call replaces it.
    public func observeBatches(_ observer: @escaping @Sendable (Duration, Bool) -> Void) {
        state.withLock { $0.observer = observer }
    }

    // MARK: - Test hooks

    /// Committed write transactions so far (group commit: far fewer than entries).
    var batchesCommitted: Int { state.withLock { $0.batchesCommitted } }
    /// The longest the queue has been (never above `maxPending`).
    var peakPending: Int { state.withLock { $0.peakPending } }

    // MARK: - Queue

    struct State: Sendable {
        /// Admitted, waiting for the writer; never longer than `maxPending`.
        var pending: [Pending] = []
        /// Callers waiting for room in `pending`, in arrival order.
        var overflow: [Pending] = []
        var writerRunning = false
        var closed = false
        /// The last entry of each realm the writer has seen; loaded lazily, dropped after a
        /// failed batch so that it is reloaded from what the table really holds.
        var heads: [String: ChainHead] = [:]
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        var batchesCommitted = 0
        var peakPending = 0
        var commitStarted: ContinuousClock.Instant?
        var lastSuccess: Date?
        var lastFailure: Date?
        var lastError: String?
        var observer: (@Sendable (Duration, Bool) -> Void)?
    }

    struct Pending: Sendable {
        let work: Work
        let waiter: CheckedContinuation<AuditEntry?, any Error>
    }

    enum Work: Sendable {
        case event(AuditEvent)
        case checkpoint(realm: String, time: Date, sign: @Sendable ([UInt8]) throws -> String)

        var realm: String {
            switch self {
            case .event(let event): event.realm
            case .checkpoint(let realm, _, _): realm
            }
        }
    }

    struct ChainHead: Sendable {
        static let empty = ChainHead(seq: 0, hash: AuditChain.genesisHash, isCheckpoint: false)

        var seq: Int64
        var hash: String
        var isCheckpoint: Bool

        init(seq: Int64, hash: String, isCheckpoint: Bool) {
            self.seq = seq
            self.hash = hash
            self.isCheckpoint = isCheckpoint
        }

        init(_ entry: AuditEntry) {
            self.init(seq: entry.sequence, hash: entry.hash, isCheckpoint: entry.event.type == AuditChain.checkpointType)
        }
    }

    private func submit(_ work: Work) async throws -> AuditEntry? {
        try await withCheckedThrowingContinuation { waiter in
            let admission = state.withLock { state -> Admission in
                if state.closed { return .refused }
                let item = Pending(work: work, waiter: waiter)
                guard state.pending.count < maxPending else {
                    state.overflow.append(item)
                    return .queued
                }
                state.pending.append(item)
                state.peakPending = max(state.peakPending, state.pending.count)
                if state.writerRunning { return .queued }
                state.writerRunning = true
                return .startWriter
            }
            switch admission {
            case .refused: waiter.resume(throwing: HeraldError(.storage, "the audit log has been shut down"))
            case .queued: break
            case .startWriter: Task { await self.drain() }
            }
        }
    }

    private enum Admission { case refused, queued, startWriter }

    /// The writer: commits batches until the queue is empty, then exits (the next
    /// submission starts a new one). Only one runs at a time (`writerRunning`).
    private func drain() async {
        while let batch = takeBatch() {
            await commit(batch)
        }
    }

    private func takeBatch() -> [Pending]? {
        let (batch, idleWaiters) = state.withLock { state -> ([Pending]?, [CheckedContinuation<Void, Never>]) in
            guard !state.pending.isEmpty else {
                state.writerRunning = false
                defer { state.idleWaiters = [] }
                return (nil, state.idleWaiters)
            }
            let count = min(state.pending.count, maxBatch)
            let batch = Array(state.pending.prefix(count))
            state.pending.removeFirst(count)
            let admitted = min(maxPending - state.pending.count, state.overflow.count)
            if admitted > 0 {
                state.pending.append(contentsOf: state.overflow.prefix(admitted))
                state.overflow.removeFirst(admitted)
                state.peakPending = max(state.peakPending, state.pending.count)
            }
            return (batch, [])
        }
        for waiter in idleWaiters { waiter.resume() }
        return batch
    }

    private func commit(_ batch: [Pending]) async {
        let work = batch.map(\.work)
        let started = ContinuousClock.now
        let heads = state.withLock { state in
            state.commitStarted = started
            return state.heads
        }
        do {
            let outcome = try await store.writer.writeWithoutTransaction { db in
                try Self.appendCommitted(work, heads: heads, db)
            }
            let observer = state.withLock { state in
                state.heads = outcome.heads
                state.batchesCommitted += 1
                state.commitStarted = nil
                state.lastSuccess = Date()
                return state.observer
            }
            observer?(ContinuousClock.now - started, false)
            for (item, result) in zip(batch, outcome.results) { item.waiter.resume(with: result) }
        } catch {
            // The transaction rolled back: nothing of the batch is in the table, so the cached
            // heads may be ahead of it. Forget them; the next batch reloads from the table.
            let observer = state.withLock { state in
                state.heads = [:]
                state.commitStarted = nil
                state.lastFailure = Date()
                state.lastError = "\(error)"
                return state.observer
            }
            observer?(ContinuousClock.now - started, true)
            logger?.error("audit batch not written", metadata: [
                "audit.entries": "\(batch.count)", "error": "\(error)",
            ])
            let failure = HeraldError(.storage, "writing \(batch.count) audit entries: \(error)")
            for item in batch { item.waiter.resume(throwing: failure) }
        }
    }
}

import Foundation
import HeraldCore
import Logging
import PostgresNIO
import Synchronization

/// The audit log in the PostgreSQL store: one hash chain per realm, shared by every Herald
/// process on the database, written with group commit.
///
/// `record` returns only once its entry is committed, and the pool's connections run with
/// `synchronous_commit = on` whatever the server's default, so a caller may answer its request
/// knowing the entry survives. Making every caller pay its own transaction (a round trip per
/// statement and a WAL flush per commit) capped issuance at a few thousand tokens a second,
/// so entries are queued and one writer task commits everything queued as one transaction:
/// while a commit is in flight the next batch gathers (the SQLite store's writer does the same).
///
/// A batch's transaction first takes a transaction-scoped advisory lock on each realm chain it
/// extends (in sorted order, so two replicas never wait on each other crosswise), then reads
/// those chains' heads from the table: two writers (two replicas on the database) queue on the
/// lock and never both extend the same head, the chain never forks, and no head is cached that
/// another replica could have moved.
public final class PostgresAuditLog: AuditLogWriter, Sendable {
    let store: PostgresStore
    let logger: Logger?
    let maxPending: Int
    /// Most entries in one transaction, so one huge backlog cannot hold the chain lock for long.
    let maxBatch: Int
    private let state = Mutex(State())

    /// A log appending to `store`. `settings.maxPending` bounds the queue in memory: beyond
    /// it, callers wait (backpressure) instead of the queue growing without limit.
    public init(store: PostgresStore, settings: AuditWriterSettings, logger: Logger? = nil) {
        self.store = store
        self.logger = logger
        self.maxPending = settings.maxPending
        self.maxBatch = settings.maxBatch
    }

    private struct State: Sendable {
        /// Admitted, waiting for the writer; never longer than `maxPending`.
        var pending: [Pending] = []
        /// Callers waiting for room in `pending`, in arrival order.
        var overflow: [Pending] = []
        var writerRunning = false
        var closed = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        var commitStarted: ContinuousClock.Instant?
        var batchesCommitted = 0
        var lastSuccess: Date?
        var lastFailure: Date?
        var lastError: String?
        var observer: (@Sendable (Duration, Bool) -> Void)?
        /// The last entry of each realm this writer committed: the next batch's heads while no
        /// other writer appends (see ``write(_:cached:)``); emptied after a failed batch.
        var heads: [String: PostgresAuditChain.ChainHead] = [:]
    }

    private struct Pending: Sendable {
        let work: PostgresAuditChain.Work
        let waiter: CheckedContinuation<AuditEntry?, any Error>
    }

    /// Appends `event` to its realm's chain; returns the entry once its transaction has
    /// committed. Once submitted, the event is written even if the caller is cancelled.
    @discardableResult
    public func record(_ event: AuditEvent) async throws -> AuditEntry {
        guard let entry = try await submit(.event(event)) else {
            throw HeraldError(.storage, "the audit writer returned no entry for a \(event.type) event")
        }
        return entry
    }

    /// Seals the realm's chain so far with a signed checkpoint (entry and signature in the
    /// same transaction), or returns nil when nothing was appended since the last one.
    public func checkpoint(realm: String, at time: Date, sign: @escaping @Sendable ([UInt8]) throws -> String)
        async throws -> AuditEntry?
    {
        try await submit(.checkpoint(realm: realm, time: time, sign: sign))
    }

    public func entries(_ query: AuditQuery) async throws -> [AuditEntry] {
        var bindings = PostgresBindings()
        var conditions: [String] = []
        func add(_ condition: (String) -> String, _ value: some PostgresEncodable & Sendable) throws {
            try bindings.append(value)
            conditions.append(condition("$\(bindings.count)"))
        }
        try add({ "realm = \($0)" }, query.realm)
        if let from = query.from { try add({ "time_ms >= \($0)" }, AuditQuery.milliseconds(from)) }
        if let to = query.to { try add({ "time_ms < \($0)" }, AuditQuery.milliseconds(to)) }
        if let type = query.type, type != "*" {
            if type.hasSuffix(".*") {
                // A byte-order range rather than LIKE (the SQLite store's reading): every type
                // starting with "a.b." sorts at or after "a.b." and before "a.b/".
                let prefix = String(type.dropLast())
                try add({ "type COLLATE \"C\" >= \($0)" }, prefix)
                try add({ "type COLLATE \"C\" < \($0)" }, String(prefix.dropLast()) + "/")
            } else {
                try add({ "type = \($0)" }, type)
            }
        }
        if let agent = query.agent { try add({ "agent = \($0)" }, agent) }
        if let client = query.client { try add({ "client = \($0)" }, client) }
        if let after = query.after { try add({ "seq > \($0)" }, after) }
        bindings.append(Int64(query.effectiveLimit))
        let sql = "SELECT \(PostgresAuditChain.columns) FROM audit_log WHERE \(conditions.joined(separator: " AND ")) "
            + "ORDER BY seq LIMIT $\(bindings.count)"
        let statement = PostgresQuery(unsafeSQL: sql, binds: bindings)
        return try await store.read("reading the audit log of \(query.realm)") { connection in
            var entries: [AuditEntry] = []
            for try await row in try await connection.query(statement, logger: store.logger)
                .decode(PostgresAuditChain.Row.self) { entries.append(try PostgresAuditChain.entry(row)) }
            return entries
        }
    }

    public func flush() async { await waitUntilIdle(closing: false) }

    public func shutdown() async {
        await waitUntilIdle(closing: true)
        logger?.debug("audit log shut down")
    }

    public var health: AuditWriterHealth {
        let now = ContinuousClock.now
        return state.withLock { state in
            AuditWriterHealth(pending: state.pending.count, waiting: state.overflow.count, maxPending: maxPending,
                              commitRunningFor: state.commitStarted.map { now - $0 }, lastSuccess: state.lastSuccess,
                              lastFailure: state.lastFailure, lastError: state.lastError, closed: state.closed)
        }
    }

    public func observeBatches(_ observer: @escaping @Sendable (Duration, Bool) -> Void) {
        state.withLock { $0.observer = observer }
    }

    /// Committed write transactions so far (group commit: far fewer than entries; tests).
    var batchesCommitted: Int { state.withLock { $0.batchesCommitted } }

    // MARK: - Queue

    private enum Admission { case refused, queued, startWriter }

    private func submit(_ work: PostgresAuditChain.Work) async throws -> AuditEntry? {
        try await withCheckedThrowingContinuation { waiter in
            let admission = state.withLock { state -> Admission in
                if state.closed { return .refused }
                let item = Pending(work: work, waiter: waiter)
                guard state.pending.count < maxPending else {
                    state.overflow.append(item)
                    return .queued
                }
                state.pending.append(item)
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

    /// The writer: commits batches until the queue is empty, then exits (the next submission
    /// starts a new one). Only one runs at a time (`writerRunning`).
    private func drain() async {
        while let batch = takeBatch() { await commit(batch) }
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
            }
            return (batch, [])
        }
        for waiter in idleWaiters { waiter.resume() }
        return batch
    }

    private func commit(_ batch: [Pending]) async {
        let work = batch.map(\.work)
        let started = ContinuousClock.now
        let cached = state.withLock { state in
            state.commitStarted = started
            return state.heads
        }
        do {
            let sealed = try await write(work, cached: cached)
            let observer = state.withLock { state in
                state.heads = sealed.heads
                state.batchesCommitted += 1
                state.commitStarted = nil
                state.lastSuccess = Date()
                return state.observer
            }
            observer?(ContinuousClock.now - started, false)
            for (item, result) in zip(batch, sealed.results) { item.waiter.resume(with: result) }
        } catch {
            // Rolled back: nothing of the batch is in the table. The next batch reads the heads
            // under the lock again.
            let observer = state.withLock { state in
                state.heads = [:]
                state.commitStarted = nil
                state.lastFailure = Date()
                state.lastError = "\(error)"
                return state.observer
            }
            observer?(ContinuousClock.now - started, true)
            self.logger?.error("audit batch not written", metadata: [
                "audit.entries": "\(batch.count)", "error": "\(error)",
            ])
            for item in batch { item.waiter.resume(throwing: error) }
        }
    }

    /// Writes one batch: as one autocommitted INSERT onto the heads this writer committed last
    /// when it can (``PostgresAuditChain/sealedForOneStatement(_:cached:)``), else (and when
    /// another writer moved a head meanwhile) in a transaction under the chains' locks.
    private func write(_ work: [PostgresAuditChain.Work], cached: [String: PostgresAuditChain.ChainHead]) async throws
        -> PostgresAuditChain.Sealed
    {
        let logger = store.logger
        if let sealed = PostgresAuditChain.sealedForOneStatement(work, cached: cached) {
            let what = "appending \(work.count) entries to the audit log"
            do {
                try await store.client.withConnection { connection in
                    _ = try await connection.query(PostgresAuditChain.insertStatement(sealed.entries[...]), logger: logger)
                }
                return sealed
            } catch where PostgresAuditChain.isChainConflict(error) {
                // Another writer appended since our last batch: redo this one under the lock.
            } catch {
                let _: Void = try await store.mapErrors(what) { throw error }
            }
        }
        // The lock keeps out the writers that lock; one appending in a single statement can still
        // take the head read under it, so a conflict is retried on the head it left.
        for _ in 0..<Self.lockedAttempts {
            do {
                return try await store.transaction("appending \(work.count) entries to the audit log") { connection in
                    try await PostgresAuditChain.appendLocked(work, connection, logger: logger)
                }
            } catch is PostgresAuditChain.ChainConflict {
                continue
            }
        }
        throw HeraldError(.storage, "appending \(work.count) entries to the audit log: other writers took the chain's "
                              + "next sequence number \(Self.lockedAttempts) times in a row; retry")
    }

    /// Tries of a locked append before the batch fails (each one loses only to a writer that
    /// appended in the meantime, so the chain as a whole moves on).
    static let lockedAttempts = 16

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
}

import Foundation
import HeraldCore
import Logging
import PostgresNIO
import Synchronization

/// The audit log in the PostgreSQL store: one hash chain per realm, shared by every Herald
/// process on the database.
///
/// Each append is one transaction that first takes a transaction-scoped advisory lock on the
/// realm's chain, then reads the chain head from the table, so two writers (two replicas, or
/// two tasks of one) queue on the lock and never both extend the same head: the chain never
/// forks, and no head is cached that another replica could have moved. `record` returns once
/// the transaction has committed, and the pool's connections run with `synchronous_commit = on`
/// whatever the server's default, so a caller may answer its request knowing the entry survives.
public final class PostgresAuditLog: AuditLogWriter, Sendable {
    let store: PostgresStore
    let logger: Logger?
    let maxPending: Int
    private let state = Mutex(State())

    /// A log appending to `store`. `settings.maxPending` is reported in ``health``; each
    /// append waits for a pooled connection, which bounds the work in flight.
    public init(store: PostgresStore, settings: AuditWriterSettings, logger: Logger? = nil) {
        self.store = store
        self.logger = logger
        self.maxPending = settings.maxPending
    }

    private struct State: Sendable {
        var inFlight: [Int: ContinuousClock.Instant] = [:]
        var nextID = 0
        var closed = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        var lastSuccess: Date?
        var lastFailure: Date?
        var lastError: String?
        var observer: (@Sendable (Duration, Bool) -> Void)?
    }

    @discardableResult
    public func record(_ event: AuditEvent) async throws -> AuditEntry {
        try await append(realm: event.realm) { head, connection, logger in
            let entry = PostgresAuditChain.seal(event, sequence: head.seq + 1, previousHash: head.hash)
            try await PostgresAuditChain.insert(entry, connection, logger: logger)
            return entry
        }
    }

    public func checkpoint(realm: String, at time: Date, sign: @escaping @Sendable ([UInt8]) throws -> String)
        async throws -> AuditEntry?
    {
        try await append(realm: realm) { head, connection, logger -> AuditEntry? in
            // Nothing since the last checkpoint (or nothing at all): nothing to seal.
            guard head.seq > 0, !head.isCheckpoint else { return nil }
            let event = AuditEvent(type: AuditCheckpoint.entryType, realm: realm, time: time, actor: "system",
                                   detail: ["through_seq": String(head.seq), "through_hash": head.hash])
            let entry = PostgresAuditChain.seal(event, sequence: head.seq + 1, previousHash: head.hash)
            let checkpoint = AuditCheckpoint(realm: realm, seq: entry.sequence, hash: entry.hash,
                                             timeMilliseconds: AuditQuery.milliseconds(entry.event.time))
            let jws: String
            do { jws = try sign(checkpoint.payload) } catch {
                throw HeraldError(.crypto, "signing the audit checkpoint of \(realm): \(error)")
            }
            try await PostgresAuditChain.insert(entry, connection, logger: logger)
            try await connection.query("""
                INSERT INTO audit_checkpoints (realm, seq, hash, jws, created_ms)
                VALUES (\(realm), \(entry.sequence), \(entry.hash), \(jws), \(checkpoint.timeMilliseconds))
                """, logger: logger)
            return entry
        }
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
            AuditWriterHealth(pending: state.inFlight.count, waiting: 0, maxPending: maxPending,
                              commitRunningFor: state.inFlight.values.min().map { now - $0 },
                              lastSuccess: state.lastSuccess, lastFailure: state.lastFailure,
                              lastError: state.lastError, closed: state.closed)
        }
    }

    public func observeBatches(_ observer: @escaping @Sendable (Duration, Bool) -> Void) {
        state.withLock { $0.observer = observer }
    }

    // MARK: - Appending

    struct ChainHead: Sendable {
        var seq: Int64
        var hash: String
        var isCheckpoint: Bool
    }

    /// Runs `body` on the realm's chain head in one transaction under the chain's lock.
    private func append<T: Sendable>(
        realm: String,
        _ body: @escaping @Sendable (ChainHead, PostgresConnection, Logger) async throws -> T
    ) async throws -> T {
        let admitted = state.withLock { state -> Int? in
            guard !state.closed else { return nil }
            state.nextID += 1
            state.inFlight[state.nextID] = ContinuousClock.now
            return state.nextID
        }
        guard let id = admitted else { throw HeraldError(.storage, "the audit log has been shut down") }
        let started = ContinuousClock.now
        let logger = store.logger
        do {
            let value = try await store.transaction("appending to the audit log of \(realm)") { connection in
                // Serialises the chain's writers across every process until COMMIT.
                try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\("herald.audit:" + realm), 0))",
                                           logger: logger)
                var head = ChainHead(seq: 0, hash: AuditEntry.genesisHash, isCheckpoint: false)
                for try await (seq, hash, type) in try await connection.query(
                    "SELECT seq, hash, type FROM audit_log WHERE realm = \(realm) ORDER BY seq DESC LIMIT 1", logger: logger)
                    .decode((Int64, String, String).self) {
                    head = ChainHead(seq: seq, hash: hash, isCheckpoint: type == AuditCheckpoint.entryType)
                }
                return try await body(head, connection, logger)
            }
            finish(id, started: started, error: nil)
            return value
        } catch {
            finish(id, started: started, error: error)
            if let error = error as? HeraldError, error.code == .crypto { throw error }
            self.logger?.error("audit entry not written", metadata: ["realm": "\(realm)", "error": "\(error)"])
            throw error
        }
    }

    private func finish(_ id: Int, started: ContinuousClock.Instant, error: (any Error)?) {
        let (observer, waiters) = state.withLock { state in
            state.inFlight[id] = nil
            if let error {
                state.lastFailure = Date()
                state.lastError = "\(error)"
            } else {
                state.lastSuccess = Date()
            }
            var waiters: [CheckedContinuation<Void, Never>] = []
            if state.inFlight.isEmpty { swap(&waiters, &state.idleWaiters) }
            return (state.observer, waiters)
        }
        observer?(ContinuousClock.now - started, error != nil)
        for waiter in waiters { waiter.resume() }
    }

    private func waitUntilIdle(closing: Bool) async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state in
                if closing { state.closed = true }
                if !state.inFlight.isEmpty { state.idleWaiters.append(waiter) }
                return state.inFlight.isEmpty
            }
            if idle { waiter.resume() }
        }
    }
}

import Foundation
import GRDB
import HeraldCore
@testable import HeraldStore
import HeraldTesting
import Synchronization
import Testing

@Suite("audit writer health and the store's write probe")
struct AuditWriterHealthTests {
    /// What the batch observer saw.
    final class Batches: Sendable {
        let outcomes = Mutex<[Bool]>([])
        func append(_ failed: Bool) { outcomes.withLock { $0.append(failed) } }
        var all: [Bool] { outcomes.withLock { $0 } }
    }

    @Test("batches are observed; a failed batch shows as the last error until one succeeds; shutdown shows as closed")
    func health() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.file("herald.sqlite"))
        let log = SQLiteAuditLog(store: store)
        let batches = Batches()
        log.observeBatches { _, failed in batches.append(failed) }
        #expect(log.health == AuditWriterHealth(pending: 0, waiting: 0, maxPending: SQLiteAuditLog.defaultMaxPending,
                                                commitRunningFor: nil, lastSuccess: nil, lastFailure: nil, lastError: nil,
                                                closed: false))
        try await log.record(AuditFixtures.event(0))
        #expect(batches.all == [false] && log.health.lastSuccess != nil && !log.health.lastBatchFailed)

        // Another writer appends behind the log's back: its next batch collides and rolls back.
        let head = try await allEntries(log, realm: "acme")[0]
        let intruder = AuditChain.seal(AuditFixtures.event(1), sequence: 2, previousHash: head.hash)
        try await store.writer.write { db in try AuditChain.insert(intruder, db) }
        await #expect(throws: HeraldError.self) { try await log.record(AuditFixtures.event(2)) }
        #expect(batches.all == [false, true])
        #expect(log.health.lastBatchFailed && log.health.lastError?.isEmpty == false)

        try await log.record(AuditFixtures.event(3))  // the chain resumes from the table
        #expect(!log.health.lastBatchFailed && log.health.commitRunningFor == nil && log.health.pending == 0)
        await log.shutdown()
        #expect(log.health.closed)
    }

    @Test("probeWrite passes on a free database and fails while another connection holds the write lock")
    func probe() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("herald.sqlite")
        let store = try SQLiteStore(path: path)
        try await store.probeWrite()
        var configuration = Configuration()
        configuration.busyMode = .immediateError
        configuration.allowsUnsafeTransactions = true  // the lock outlives one access, as a stuck shell's would
        let holder = try DatabaseQueue(path: path, configuration: configuration)
        try await holder.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        // The probe waits out the store's busy timeout (5 s), then reports the lock.
        await #expect(throws: (any Error).self) { try await store.probeWrite() }
        try await holder.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        try await store.probeWrite()
    }
}

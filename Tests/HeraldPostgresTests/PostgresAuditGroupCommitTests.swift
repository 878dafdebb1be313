import Foundation
import HeraldCore
import HeraldPostgres
import HeraldStore
import HeraldTesting
import Synchronization
import Testing

/// The PostgreSQL audit writer's group commit: many entries share one transaction, and the
/// chains it writes are the same as one transaction per entry would write.
@Suite("Postgres audit group commit", .serialized)
struct PostgresAuditGroupCommitTests {
    @Test("concurrent entries commit in far fewer transactions than entries, as one gap-free chain per realm")
    func batches() async throws {
        try await PostgresFixture.withStore { store in
            let log = store.makeAuditLog(settings: AuditWriterSettings(), logger: nil)
            let commits = Mutex(0)
            log.observeBatches { _, failed in if !failed { commits.withLock { $0 += 1 } } }
            let count = 2_400
            let recorded = try await withThrowingTaskGroup(of: AuditEntry.self) { group in
                for index in 0..<count {
                    group.addTask { try await log.record(AuditFixtures.event(index, realm: index % 3 == 0 ? "beta" : "acme")) }
                }
                return try await group.reduce(into: [AuditEntry]()) { $0.append($1) }
            }
            let transactions = commits.withLock { $0 }
            #expect(transactions <= count / 2, "\(transactions) transactions for \(count) entries: no group commit")
            let signer = AuditFixtures.CheckpointSigner()
            for realm in ["acme", "beta"] {
                let mine = recorded.filter { $0.event.realm == realm }
                #expect(Set(mine.map(\.sequence)) == Set(1...Int64(mine.count)))
                var stored: [AuditEntry] = []
                while true {  // a query answers at most 1 000 entries
                    let page = try await log.entries(AuditQuery(realm: realm, after: stored.last?.sequence, limit: 1_000))
                    if page.isEmpty { break }
                    stored += page
                }
                let expected = mine.sorted { $0.sequence < $1.sequence }
                #expect(stored.count == expected.count)
                let differing = zip(stored, expected).first { $0 != $1 }
                #expect(differing == nil, "returned entry differs from the stored one: \(String(describing: differing))")
                _ = try await log.checkpoint(realm: realm, at: AuditFixtures.start + 10_000, sign: signer.sign)
                let report = try await AuditVerifier.verify(store, realm: realm, verifyCheckpoint: signer.verify)
                #expect(report.isValid && report.entriesChecked == mine.count + 1, "\(report)")
            }
            await log.shutdown()
        }
    }

    @Test("a checkpoint whose signing fails fails alone; the entries around it commit")
    func failedCheckpointAlone() async throws {
        struct SigningFailed: Error {}
        try await PostgresFixture.withStore { store in
            let log = store.makeAuditLog(settings: AuditWriterSettings(), logger: nil)
            try await log.record(AuditFixtures.event(0))
            async let before = log.record(AuditFixtures.event(1))
            async let failing: Bool = {
                do {
                    _ = try await log.checkpoint(realm: "acme", at: AuditFixtures.start + 2) { _ in throw SigningFailed() }
                    return false
                } catch { return error is HeraldError }
            }()
            async let after = log.record(AuditFixtures.event(3))
            let (first, refused, last) = try await (before, failing, after)
            #expect(refused, "the checkpoint whose signing failed is refused with a HeraldError")
            #expect(Set([first.sequence, last.sequence]) == [2, 3])
            let stored = try await log.entries(AuditQuery(realm: "acme", limit: 10))
            #expect(stored.map(\.sequence) == [1, 2, 3])
            #expect(stored.allSatisfy { $0.event.type != AuditCheckpoint.entryType })
            await log.shutdown()
        }
    }

    @Test("two writers taking turns: a writer whose remembered head another moved on redoes its batch under the lock")
    func headMovedByAnother() async throws {
        try await PostgresFixture.withDatabase { url in
            let location = try StoreLocation(parsing: url)
            let first = try await PostgresStore.open(location), second = try await PostgresStore.open(location)
            defer { first.close(); second.close() }
            let logs = [first.makeAuditLog(settings: AuditWriterSettings(), logger: nil),
                        second.makeAuditLog(settings: AuditWriterSettings(), logger: nil)]
            // Each writer's second and later appends start from the head it remembers, which
            // the other writer has moved on every time.
            var recorded: [AuditEntry] = []
            for index in 0..<12 { recorded.append(try await logs[index % 2].record(AuditFixtures.event(index))) }
            #expect(recorded.map(\.sequence) == Array(1...12))
            for (previous, entry) in zip(recorded, recorded.dropFirst()) { #expect(entry.previousHash == previous.hash) }
            let signer = AuditFixtures.CheckpointSigner()
            _ = try await logs[1].checkpoint(realm: "acme", at: AuditFixtures.start + 100, sign: signer.sign)
            let report = try await AuditVerifier.verify(first, realm: "acme", verifyCheckpoint: signer.verify)
            #expect(report.isValid && report.entriesChecked == 13, "\(report)")
            for log in logs { await log.shutdown() }
        }
    }

    @Test("after shutdown nothing more is admitted")
    func closed() async throws {
        try await PostgresFixture.withStore { store in
            let log = store.makeAuditLog(settings: AuditWriterSettings(), logger: nil)
            try await log.record(AuditFixtures.event(0))
            await log.shutdown()
            await #expect(throws: HeraldError.self) { try await log.record(AuditFixtures.event(1)) }
            #expect(try await log.entries(AuditQuery(realm: "acme", limit: 10)).count == 1)
        }
    }
}

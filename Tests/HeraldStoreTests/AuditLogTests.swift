import Foundation
import GRDB
import HeraldCore
@testable import HeraldStore
import HeraldTesting
import Testing

@Suite("audit log")
struct AuditLogTests {
    @Test("concurrent records from 50 tasks make one gap-free chain per realm, in few transactions")
    func groupCommit() async throws {
        try await withFileLog { store, log, path in
            let tasks = 50, perTask = 40
            let recorded = try await withThrowingTaskGroup(of: [AuditEntry].self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        var entries: [AuditEntry] = []
                        for i in 0..<perTask {
                            let realm = task % 2 == 0 ? "acme" : "beta"
                            entries.append(try await log.record(AuditFixtures.event(task * perTask + i, realm: realm)))
                        }
                        return entries
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(recorded.count == tasks * perTask)
            for realm in ["acme", "beta"] {
                let stored = try await allEntries(log, realm: realm)
                #expect(stored.map(\.sequence) == Array(1...Int64(tasks * perTask / 2)))
                var previous = AuditChain.genesisHash
                for entry in stored {
                    #expect(entry.previousHash == previous)
                    #expect(entry.hash == AuditChain.hash(AuditEntry.canonicalForm(
                        sequence: entry.sequence, event: entry.event, previousHash: entry.previousHash)))
                    previous = entry.hash
                }
                // What record returned is exactly what was stored.
                #expect(Set(recorded.filter { $0.event.realm == realm }) == Set(stored))
                let report = try await AuditVerifier.verify(databasePath: path, realm: realm) { _ in [] }
                #expect(report.isValid && report.entriesChecked == tasks * perTask / 2, "\(report)")
            }
            // Group commit: at most 50 events are in flight at once, so batches average well
            // above one entry (one transaction, one fsync each).
            #expect(log.batchesCommitted < tasks * perTask / 5, "\(log.batchesCommitted) transactions")
            #expect(try await store.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
        }
    }

    @Test("backpressure: with a short queue every caller waits its turn and nothing is lost")
    func backpressure() async throws {
        let log = SQLiteAuditLog(store: try SQLiteStore(), maxPending: 8)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<300 { group.addTask { try await log.record(AuditFixtures.event(index)) } }
            try await group.waitForAll()
        }
        #expect(log.peakPending <= 8)
        #expect(try await allEntries(log, realm: "acme").map(\.sequence) == Array(1...300))
    }

    @Test("queries filter by time, type (exact or prefix), agent and client, and page with after and limit")
    func queries() async throws {
        let log = SQLiteAuditLog(store: try SQLiteStore())
        for index in 0..<30 { try await log.record(AuditFixtures.event(index)) }
        try await log.record(AuditEvent(type: "admin.client.created", realm: "acme", time: AuditFixtures.start,
                                        actor: "admin", client: "new-bot"))
        try await log.record(AuditFixtures.event(99, realm: "beta"))

        func query(_ build: (inout AuditQuery) -> Void) async throws -> [Int64] {
            var query = AuditQuery(realm: "acme")
            build(&query)
            return try await log.entries(query).map(\.sequence)
        }
        #expect(try await query { _ in } == Array(1...31))
        #expect(try await query { $0.type = "token.issued" } == Array(stride(from: 1, through: 29, by: 2)))
        #expect(try await query { $0.type = "token.*" }.count == 30)
        #expect(try await query { $0.type = "admin.*" } == [31])
        #expect(try await query { $0.type = "admin" }.isEmpty)
        #expect(try await query { $0.type = "tok.*" }.isEmpty)
        #expect(try await query { $0.type = "*" }.count == 31)
        #expect(try await query { $0.agent = "agent-1" } == [2, 5, 8, 11, 14, 17, 20, 23, 26, 29])
        #expect(try await query { $0.client = "new-bot" } == [31])
        #expect(try await query { $0.client = "bot-2"; $0.type = "token.denied" } == [6, 12, 18, 24, 30])
        // from included, to excluded; event i is at start + i seconds and has seq i + 1.
        #expect(try await query {
            $0.from = AuditFixtures.start.addingTimeInterval(10)
            $0.to = AuditFixtures.start.addingTimeInterval(13)
        } == [11, 12, 13])
        #expect(try await query { $0.to = AuditFixtures.start.addingTimeInterval(1) } == [1, 31])
        // Paging: after the last sequence seen, limit per page, clamped to 1…1000.
        #expect(try await query { $0.limit = 4 } == [1, 2, 3, 4])
        #expect(try await query { $0.after = 4; $0.limit = 4 } == [5, 6, 7, 8])
        #expect(try await query { $0.after = 29; $0.limit = 4 } == [30, 31])
        #expect(try await query { $0.limit = 0 } == [1])
        #expect(try await query { $0.limit = -5 } == [1])
        #expect(try await log.entries(AuditQuery(realm: "beta")).map(\.event.detail["jti"]) == ["jti-99"])
        #expect(try await log.entries(AuditQuery(realm: "nobody")).isEmpty)

        // Stored and returned entries are identical, down to the (millisecond) time.
        let fractional = AuditEvent(type: "key.activated", realm: "gamma",
                                    time: Date(timeIntervalSince1970: 1_800_000_000.123456), actor: "system",
                                    detail: ["kid": "k1", "quote": "\"\\\n"])
        let entry = try await log.record(fractional)
        #expect(try await log.entries(AuditQuery(realm: "gamma")) == [entry])
        #expect(entry.event.time == Date(timeIntervalSince1970: 1_800_000_000.123))
    }

    @Test("the limit is clamped to 1000")
    func limitClamp() async throws {
        let log = SQLiteAuditLog(store: try SQLiteStore())
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<1005 { group.addTask { try await log.record(AuditFixtures.event(index)) } }
            try await group.waitForAll()
        }
        #expect(try await log.entries(AuditQuery(realm: "acme", limit: 5000)).count == 1000)
    }

    @Test("checkpoints seal the chain so far, are entries of it, and are signed")
    func checkpoints() async throws {
        let signer = AuditFixtures.CheckpointSigner()
        let log = SQLiteAuditLog(store: try SQLiteStore())
        let at = AuditFixtures.start.addingTimeInterval(3600)
        #expect(try await log.checkpoint(realm: "acme", at: at, sign: signer.sign) == nil)
        var last: AuditEntry?
        for index in 0..<5 { last = try await log.record(AuditFixtures.event(index)) }

        let sealed = try #require(try await log.checkpoint(realm: "acme", at: at, sign: signer.sign))
        #expect(sealed.sequence == 6)
        #expect(sealed.previousHash == last?.hash)
        #expect(sealed.event.type == "audit.checkpoint")
        #expect(sealed.event.actor == "system")
        #expect(sealed.event.detail == ["through_seq": "5", "through_hash": last!.hash])
        #expect(try await log.entries(AuditQuery(realm: "acme", after: 5)) == [sealed])
        // Nothing new since: no second checkpoint.
        #expect(try await log.checkpoint(realm: "acme", at: at, sign: signer.sign) == nil)

        let jws = try #require(try await log.store.writer.read { db in
            try String.fetchOne(db, sql: "SELECT jws FROM audit_checkpoints WHERE realm = 'acme' AND seq = 6")
        })
        let payload = try signer.verify(jws)
        #expect(String(decoding: payload, as: UTF8.self)
            == #"{"realm":"acme","seq":6,"hash":"\#(sealed.hash)","time_ms":\#(AuditChain.milliseconds(at))}"#)
        #expect(try AuditCheckpoint(payload: payload)
            == AuditCheckpoint(realm: "acme", seq: 6, hash: sealed.hash, timeMilliseconds: AuditChain.milliseconds(at)))

        // A signer that fails appends nothing; the chain goes on where it was.
        try await log.record(AuditFixtures.event(5))
        struct SignerDown: Error {}
        await #expect(throws: HeraldError.self) {
            try await log.checkpoint(realm: "acme", at: at) { _ in throw SignerDown() }
        }
        #expect(try await log.record(AuditFixtures.event(6)).sequence == 8)
        #expect(try await log.checkpoint(realm: "acme", at: at, sign: signer.sign)?.sequence == 9)
    }

    @Test("a failed batch fails its waiters, writes none of it, and the chain resumes from the table")
    func failedBatch() async throws {
        try await withFileLog { store, log, path in
            for index in 0..<3 { try await log.record(AuditFixtures.event(index)) }
            // Another writer appends entry 4 behind the log's back: the log's cached head is
            // now stale, so its next batch collides on (realm, seq) and rolls back.
            let intruder = AuditChain.seal(AuditFixtures.event(3), sequence: 4,
                                           previousHash: try await allEntries(log, realm: "acme")[2].hash)
            try await store.writer.write { db in try AuditChain.insert(intruder, db) }

            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for index in 4..<24 {
                    group.addTask { (try? await log.record(AuditFixtures.event(index))) != nil }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            let written = outcomes.filter { $0 }.count
            #expect(written < 20)
            #expect(try await allEntries(log, realm: "acme").map(\.sequence) == Array(1...Int64(4 + written)))
            #expect(try await log.record(AuditFixtures.event(99)).sequence == Int64(5 + written))
            let report = try await AuditVerifier.verify(databasePath: path, realm: "acme") { _ in [] }
            #expect(report.isValid, "\(report)")
        }
    }

    @Test("a new log on the same file continues the chain; shutdown flushes, then refuses")
    func reopenAndShutdown() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("herald.sqlite")
        do {
            let log = SQLiteAuditLog(store: try SQLiteStore(path: path))
            for index in 0..<3 { try await log.record(AuditFixtures.event(index)) }
            await log.shutdown()
        }
        let log = SQLiteAuditLog(store: try SQLiteStore(path: path))
        #expect(try await log.record(AuditFixtures.event(3)).sequence == 4)

        // Whatever was admitted before shutdown is durable when it returns; later calls fail.
        let results = await withTaskGroup(of: Int64?.self) { group in
            for index in 4..<104 { group.addTask { try? await log.record(AuditFixtures.event(index)).sequence } }
            group.addTask { await log.shutdown(); return nil }
            return await group.reduce(into: [Int64]()) { if let seq = $1 { $0.append(seq) } }
        }
        let stored = try await allEntries(log, realm: "acme").map(\.sequence)
        #expect(stored == Array(1...Int64(4 + results.count)))
        await #expect(throws: HeraldError.self) { try await log.record(AuditFixtures.event(0)) }
        await log.shutdown()
        #expect(try await AuditVerifier.verify(databasePath: path, realm: "acme") { _ in [] }.isValid)
    }

    // MARK: - Helpers

    private func withFileLog(_ body: (SQLiteStore, SQLiteAuditLog, String) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("herald.sqlite")
        let store = try SQLiteStore(path: path)
        let log = SQLiteAuditLog(store: store)
        try await body(store, log, path)
        await log.shutdown()
    }
}

/// Every entry of `realm`, oldest first, paging as the admin API does.
func allEntries(_ log: SQLiteAuditLog, realm: String) async throws -> [AuditEntry] {
    var all: [AuditEntry] = []
    while true {
        let page = try await log.entries(AuditQuery(realm: realm, after: all.last?.sequence, limit: 1000))
        if page.isEmpty { return all }
        all += page
    }
}

import Foundation
import GRDB
import HeraldCore
@testable import HeraldStore
import HeraldTesting
import Testing

/// Tampering with the SQLite file directly, as an attacker with the file would: the offline
/// verifier must fail and name the entry.
///
/// Each test builds realm `acme` with entries 1–10, a checkpoint entry 11, entries 12–20, a
/// checkpoint entry 21 and entries 22–25, plus an untouched realm `beta`.
@Suite("audit log tampering")
struct AuditTamperTests {
    enum Tamper: String, CaseIterable, Sendable {
        case changeDetail, changeType, deleteRow, deleteFirstRow, deleteRows, swapRows, dropTailAfterCheckpoint,
             dropTailKeepingCheckpointEntry, rewriteHistoryWithHashes, deleteCheckpointRow, forgeCheckpoint,
             moveCheckpoint

        /// The entry the verifier must name and a phrase of its reason.
        var expected: (seq: Int64, phrase: String) {
            switch self {
            case .changeDetail: (7, "hash does not match its contents (a field was changed)")
            case .changeType: (15, "hash does not match its contents (a field was changed)")
            case .deleteRow: (9, "missing (deleted from the table)")
            case .deleteFirstRow: (1, "missing (deleted from the table)")
            case .deleteRows: (16, "missing through entry 18")
            case .swapRows: (4, "prev_hash does not match the hash of entry 3 (rows were swapped")
            case .dropTailAfterCheckpoint: (11, "a signed checkpoint seals entry 21 (the tail of the chain was dropped)")
            case .dropTailKeepingCheckpointEntry: (12, "the chain ends at entry 11")
            case .rewriteHistoryWithHashes: (11, "the signed checkpoint does not match the entry")
            case .deleteCheckpointRow: (21, "the checkpoint row was deleted")
            case .forgeCheckpoint: (11, "its checkpoint signature does not verify")
            case .moveCheckpoint: (11, "its checkpoint was signed for entry 21")
            }
        }

        func apply(_ db: Database) throws {
            switch self {
            case .changeDetail:
                try db.execute(sql: #"""
                    UPDATE audit_log SET detail = '{"jti":"jti-6","level":"L4"}' WHERE realm = 'acme' AND seq = 7
                    """#)
            case .changeType:
                try db.execute(sql: "UPDATE audit_log SET type = 'token.issued' WHERE realm = 'acme' AND seq = 15")
            case .deleteRow:
                try db.execute(sql: "DELETE FROM audit_log WHERE realm = 'acme' AND seq = 9")
            case .deleteFirstRow:
                try db.execute(sql: "DELETE FROM audit_log WHERE realm = 'acme' AND seq = 1")
            case .deleteRows:
                try db.execute(sql: "DELETE FROM audit_log WHERE realm = 'acme' AND seq BETWEEN 16 AND 18")
            case .swapRows:
                try db.execute(sql: """
                    UPDATE audit_log SET seq = -1 WHERE realm = 'acme' AND seq = 4;
                    UPDATE audit_log SET seq = 4 WHERE realm = 'acme' AND seq = 5;
                    UPDATE audit_log SET seq = 5 WHERE realm = 'acme' AND seq = -1;
                    """)
            case .dropTailAfterCheckpoint:
                // Everything from the first checkpoint on, and that checkpoint's row; the later
                // checkpoint row stays behind.
                try db.execute(sql: """
                    DELETE FROM audit_log WHERE realm = 'acme' AND seq >= 11;
                    DELETE FROM audit_checkpoints WHERE realm = 'acme' AND seq = 11;
                    """)
            case .dropTailKeepingCheckpointEntry:
                try db.execute(sql: "DELETE FROM audit_log WHERE realm = 'acme' AND seq >= 12")
            case .rewriteHistoryWithHashes:
                // Change entry 3 and recompute every hash after it: the chain is consistent
                // again, only the signatures cannot be redone.
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM audit_log WHERE realm = 'acme' ORDER BY seq")
                var entries = try rows.map(AuditChain.entry)
                entries[2].event.detail["level"] = "L4"
                try db.execute(sql: "DELETE FROM audit_log WHERE realm = 'acme' AND seq >= 3")
                var previous = entries[1].hash
                for entry in entries[2...] {
                    let resealed = AuditChain.seal(entry.event, sequence: entry.sequence, previousHash: previous)
                    try AuditChain.insert(resealed, db)
                    try db.execute(sql: "UPDATE audit_checkpoints SET hash = ? WHERE realm = 'acme' AND seq = ?",
                                   arguments: [resealed.hash, resealed.sequence])
                    previous = resealed.hash
                }
            case .deleteCheckpointRow:
                try db.execute(sql: "DELETE FROM audit_checkpoints WHERE realm = 'acme' AND seq = 21")
            case .forgeCheckpoint:
                // Same payload, signed with a key that is not the realm's.
                let sql = "SELECT * FROM audit_checkpoints WHERE realm = 'acme' AND seq = 11"
                let row = try #require(try Row.fetchOne(db, sql: sql))
                let payload = AuditCheckpoint(realm: "acme", seq: 11, hash: row["hash"], timeMilliseconds: row["created_ms"])
                let forged = try AuditFixtures.CheckpointSigner().sign(payload.payload)
                try db.execute(sql: "UPDATE audit_checkpoints SET jws = ? WHERE realm = 'acme' AND seq = 11",
                               arguments: [forged])
            case .moveCheckpoint:
                try db.execute(sql: """
                    UPDATE audit_checkpoints SET jws = (SELECT jws FROM audit_checkpoints WHERE realm = 'acme' AND seq = 21)
                    WHERE realm = 'acme' AND seq = 11
                    """)
            }
        }
    }

    @Test("an untampered log verifies, with its checkpoints")
    func intact() async throws {
        try await withTamperableLog { path, signer, _ in
            let report = try await AuditVerifier.verify(databasePath: path, realm: "acme", verifyCheckpoint: signer.verify)
            #expect(report == AuditReport(realm: "acme", entriesChecked: 25, checkpointsChecked: 2))
            #expect(report.description == "audit chain of realm acme: 25 entries, 2 checkpoints verified")
            let empty = try await AuditVerifier.verify(databasePath: path, realm: "nobody", verifyCheckpoint: signer.verify)
            #expect(empty.isValid && empty.entriesChecked == 0)
        }
    }

    @Test("tampering with the file makes verification fail and name the entry", arguments: Tamper.allCases)
    func tamper(_ tamper: Tamper) async throws {
        try await withTamperableLog { path, signer, store in
            try await store.writer.write { db in try tamper.apply(db) }
            let report = try await AuditVerifier.verify(databasePath: path, realm: "acme", verifyCheckpoint: signer.verify)
            #expect(!report.isValid)
            #expect(report.firstBadSequence == tamper.expected.seq, "\(report)")
            #expect(report.problem?.contains(tamper.expected.phrase) == true, "\(report)")
            #expect(report.description.hasPrefix("audit chain of realm acme BROKEN at entry \(tamper.expected.seq): "))
            #expect(report.entriesChecked == Int(min(tamper.expected.seq - 1, 25)))
            // The other realm's chain is untouched.
            #expect(try await AuditVerifier.verify(databasePath: path, realm: "beta", verifyCheckpoint: signer.verify).isValid)
        }
    }

    @Test("the report reads as one line for the CLI")
    func reportLine() {
        let report = AuditReport(realm: "acme", entriesChecked: 56, checkpointsChecked: 1, firstBadSequence: 57,
                                 problem: "hash does not match its contents (a field was changed)")
        #expect(report.description
            == "audit chain of realm acme BROKEN at entry 57: hash does not match its contents (a field was changed)")
        #expect(AuditReport(realm: "acme", entriesChecked: 1, checkpointsChecked: 1).description
            == "audit chain of realm acme: 1 entry, 1 checkpoint verified")
    }

    @Test("verification needs an existing database and never creates one")
    func missingFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("absent.sqlite")
        await #expect(throws: HeraldError.self) { try await AuditVerifier.verify(databasePath: path, realm: "acme") { _ in [] } }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    private func withTamperableLog(_ body: (String, AuditFixtures.CheckpointSigner, SQLiteStore) async throws -> Void)
        async throws
    {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("herald.sqlite")
        let store = try SQLiteStore(path: path)
        let log = SQLiteAuditLog(store: store)
        let signer = AuditFixtures.CheckpointSigner()
        let at = AuditFixtures.start.addingTimeInterval(3600)
        func recordAll(_ indices: Range<Int>, realm: String = "acme") async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in indices { group.addTask { try await log.record(AuditFixtures.event(index, realm: realm)) } }
                try await group.waitForAll()
            }
        }
        try await recordAll(0..<10)
        #expect(try await log.checkpoint(realm: "acme", at: at, sign: signer.sign)?.sequence == 11)
        try await recordAll(10..<19)
        try await recordAll(0..<5, realm: "beta")
        #expect(try await log.checkpoint(realm: "acme", at: at, sign: signer.sign)?.sequence == 21)
        #expect(try await log.checkpoint(realm: "beta", at: at, sign: signer.sign)?.sequence == 6)
        try await recordAll(19..<23)
        await log.shutdown()
        try await body(path, signer, store)
    }
}

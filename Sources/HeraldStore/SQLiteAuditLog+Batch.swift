import Foundation
import GRDB
import HeraldCore

extension SQLiteAuditLog {
    /// What one committed batch gives back: a result per submission, in order, and the new
    /// chain heads.
    struct BatchOutcome: Sendable {
        var results: [Result<AuditEntry?, any Error>]
        var heads: [String: ChainHead]
    }

    /// ``append(_:heads:_:)`` in one `BEGIN IMMEDIATE` … `COMMIT` transaction, rolled back on
    /// any error, for a connection outside a transaction (`writeWithoutTransaction`).
    ///
    /// The two statements are cached: GRDB's own transaction helper compiles `BEGIN` and
    /// `COMMIT` again for every transaction, and with group commit that is once per batch, on
    /// the one writer every token waits for. Durability is unchanged: `COMMIT` on the
    /// `synchronous = FULL` connection returns once the WAL is synced.
    static func appendCommitted(_ work: [Work], heads: [String: ChainHead], _ db: Database) throws -> BatchOutcome {
        try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
        do {
            let outcome = try append(work, heads: heads, db)
            try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
            return outcome
        } catch {
            // A failed COMMIT can leave the transaction open (SQLITE_BUSY) or already
            // rolled back (SQLITE_FULL, I/O errors); rollback() only acts on an open one.
            try? db.rollback()
            throw error
        }
    }

    /// Chains and inserts one batch inside the writer's transaction. Any database error
    /// aborts the whole batch (the caller's transaction rolls back); a checkpoint whose
    /// signing fails only fails that checkpoint, before anything of it is written.
    static func append(_ work: [Work], heads: [String: ChainHead], _ db: Database) throws -> BatchOutcome {
        var outcome = BatchOutcome(results: [], heads: heads)
        outcome.results.reserveCapacity(work.count)
        for item in work {
            let realm = item.realm
            let head: ChainHead
            if let cached = outcome.heads[realm] { head = cached } else {
                head = try loadHead(realm: realm, db)
                outcome.heads[realm] = head
            }
            switch item {
            case .event(let event):
                let entry = AuditChain.seal(event, sequence: head.seq + 1, previousHash: head.hash)
                try AuditChain.insert(entry, db)
                outcome.heads[realm] = ChainHead(entry)
                outcome.results.append(.success(entry))

            case .checkpoint(_, let time, let sign):
                // Nothing since the last checkpoint (or nothing at all): nothing to seal.
                guard head.seq > 0, !head.isCheckpoint else {
                    outcome.results.append(.success(nil))
                    continue
                }
                let event = AuditEvent(type: AuditChain.checkpointType, realm: realm, time: time, actor: "system",
                                       detail: ["through_seq": String(head.seq), "through_hash": head.hash])
                let entry = AuditChain.seal(event, sequence: head.seq + 1, previousHash: head.hash)
                let checkpoint = AuditCheckpoint(realm: realm, seq: entry.sequence, hash: entry.hash,
                                                 timeMilliseconds: AuditChain.milliseconds(entry.event.time))
                let jws: String
                do { jws = try sign(checkpoint.payload) } catch {
                    let failure = HeraldError(.crypto, "signing the audit checkpoint of \(realm): \(error)")
                    outcome.results.append(.failure(failure))
                    continue
                }
                try AuditChain.insert(entry, db)
                try db.execute(sql: """
                    INSERT INTO audit_checkpoints (realm, seq, hash, jws, created_ms) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [realm, entry.sequence, entry.hash, jws, checkpoint.timeMilliseconds])
                outcome.heads[realm] = ChainHead(entry)
                outcome.results.append(.success(entry))
            }
        }
        return outcome
    }

    private static func loadHead(realm: String, _ db: Database) throws -> ChainHead {
        let sql = "SELECT seq, hash, type FROM audit_log WHERE realm = ? ORDER BY seq DESC LIMIT 1"
        guard let row = try Row.fetchOne(db, sql: sql, arguments: [realm]) else { return .empty }
        let type: String = row["type"]
        return ChainHead(seq: row["seq"], hash: row["hash"], isCheckpoint: type == AuditChain.checkpointType)
    }
}

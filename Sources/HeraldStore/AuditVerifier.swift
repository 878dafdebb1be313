import Foundation
import GRDB
import HeraldCore

/// Checks a realm's audit chain offline, straight from the database file (`herald audit
/// verify`), and names the first bad entry.
///
/// What each kind of tampering looks like to it:
/// - a changed field: the entry's hash no longer matches its recomputed canonical form;
/// - a deleted row: a gap in the sequence numbers;
/// - swapped or reordered rows: an entry's `prev_hash` is not its predecessor's hash;
/// - a rewritten history with every hash recomputed: a signed checkpoint no longer matches
///   the entry at its sequence number;
/// - a dropped tail: a signed checkpoint names an entry past the end of the chain (only a
///   tail after the last checkpoint can be dropped unnoticed; checkpoints bound that window);
/// - a deleted checkpoint: an `audit.checkpoint` entry without its signed row (the two are
///   always committed together).
public struct AuditVerifier: Sendable {
    /// Opens `databasePath` read-only and checks `realm`'s chain and checkpoints.
    ///
    /// `verifyCheckpoint` receives each checkpoint's compact JWS and returns its verified
    /// payload, or throws when the signature (or its `typ`, key, algorithm) is not
    /// acceptable; the CLI verifies against the realm's JWKS.
    ///
    /// Returns a report (valid or naming the first bad entry); throws only when the file
    /// cannot be read as a Herald database.
    public static func verify(databasePath: String, realm: String, verifyCheckpoint: (String) throws -> [UInt8]) throws
        -> AuditReport
    {
        var configuration = Configuration()
        configuration.readonly = true
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: databasePath, configuration: configuration) } catch {
            throw HeraldError(.storage, "cannot open the database \(databasePath) read-only: \(error)")
        }
        do {
            return try queue.read { db in try check(realm: realm, db, verifyCheckpoint: verifyCheckpoint) }
        } catch let error as HeraldError { throw error } catch {
            throw HeraldError(.storage, "reading the audit log of \(realm) in \(databasePath): \(error)")
        }
    }

    private struct CheckpointRow {
        let seq: Int64
        let hash: String
        let jws: String
    }

    private static func check(realm: String, _ db: Database, verifyCheckpoint: (String) throws -> [UInt8]) throws
        -> AuditReport
    {
        guard try db.tableExists("audit_log"), try db.tableExists("audit_checkpoints") else {
            throw HeraldError(.storage, "the database has no audit log (is it a Herald database?)")
        }
        var checkpoints: [Int64: CheckpointRow] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT seq, hash, jws FROM audit_checkpoints WHERE realm = ?",
                                    arguments: [realm]) {
            let checkpoint = CheckpointRow(seq: try row.decode(forColumn: "seq"), hash: try row.decode(forColumn: "hash"),
                                           jws: try row.decode(forColumn: "jws"))
            checkpoints[checkpoint.seq] = checkpoint
        }
        var report = AuditReport(realm: realm)
        func broken(_ seq: Int64, _ problem: String) -> AuditReport {
            report.firstBadSequence = seq
            report.problem = problem
            return report
        }
        if let stray = checkpoints.keys.filter({ $0 < 1 }).min() {
            return broken(stray, "a checkpoint row names sequence number \(stray), which no entry can have")
        }

        var expected: Int64 = 1
        var previousHash = AuditChain.genesisHash
        let rows = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log WHERE realm = ? ORDER BY seq", arguments: [realm])
        while let row = try rows.next() {
            let seq = try row.decode(Int64.self, forColumn: "seq")
            guard seq == expected else {
                let through = seq - 1 > expected ? " through entry \(seq - 1)" : ""
                return broken(expected, "missing\(through) (deleted from the table)")
            }
            let entry: AuditEntry
            do { entry = try AuditChain.entry(row) } catch {
                return broken(seq, "its stored fields do not decode (a field was changed): \(error)")
            }
            guard entry.previousHash == previousHash else {
                return broken(seq, seq == 1
                    ? "prev_hash is not the genesis value (rows were swapped, reordered or rewritten)"
                    : "prev_hash does not match the hash of entry \(seq - 1) (rows were swapped, reordered or rewritten)")
            }
            let canonical = AuditEntry.canonicalForm(sequence: seq, event: entry.event, previousHash: entry.previousHash)
            guard AuditChain.hash(canonical) == entry.hash else {
                return broken(seq, "hash does not match its contents (a field was changed)")
            }
            if let checkpoint = checkpoints.removeValue(forKey: seq) {
                if let problem = problem(with: checkpoint, of: entry, realm: realm, verifyCheckpoint) {
                    return broken(seq, problem)
                }
                report.checkpointsChecked += 1
            } else if entry.event.type == AuditChain.checkpointType {
                return broken(seq, "checkpoint entry without its signed checkpoint (the checkpoint row was deleted)")
            }
            report.entriesChecked += 1
            previousHash = entry.hash
            expected = seq + 1
        }

        // Checkpoints past the end: the entries they seal are gone.
        if let seq = checkpoints.keys.min(), let checkpoint = checkpoints[seq] {
            if let payload = try? verifyCheckpoint(checkpoint.jws), let signed = try? AuditCheckpoint(payload: payload),
               signed.realm == realm, signed.seq == seq
            {
                return broken(expected, "missing: the chain ends at entry \(expected - 1) but a signed checkpoint "
                    + "seals entry \(seq) (the tail of the chain was dropped)")
            }
            return broken(seq, "a checkpoint row past the end of the chain (entry \(expected - 1)) does not verify "
                + "(a forged checkpoint)")
        }
        return report
    }

    /// Why `checkpoint` does not vouch for `entry`, or nil when it does.
    private static func problem(with checkpoint: CheckpointRow, of entry: AuditEntry, realm: String,
                                _ verifyCheckpoint: (String) throws -> [UInt8]) -> String?
    {
        let payload: [UInt8]
        do { payload = try verifyCheckpoint(checkpoint.jws) } catch {
            return "its checkpoint signature does not verify: \(error)"
        }
        guard let signed = try? AuditCheckpoint(payload: payload) else {
            return "its checkpoint payload is not {\"realm\",\"seq\",\"hash\",\"time_ms\"}"
        }
        guard signed.realm == realm, signed.seq == entry.sequence else {
            return "its checkpoint was signed for entry \(signed.seq) of realm \(signed.realm) (a checkpoint was moved)"
        }
        guard signed.hash == entry.hash, checkpoint.hash == entry.hash,
              signed.timeMilliseconds == AuditChain.milliseconds(entry.event.time)
        else {
            return "the signed checkpoint does not match the entry (history before it was rewritten)"
        }
        return nil
    }
}

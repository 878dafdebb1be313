import Foundation
import HeraldCore

/// Checks a realm's audit chain offline, as stored (`herald audit verify`, `herald backup
/// verify`), and names the first bad entry. It reads through ``AuditChainReader``, so it checks
/// any backend's store, a running server's included: pages are read one after another, and
/// checkpoints that appear meanwhile are looked up again before one is called missing.
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
    /// Entries read per page.
    static let pageSize = 1000

    /// Opens the SQLite file at `databasePath` read-only (an offline copy, a backup's
    /// snapshot, or a running server's file) and checks `realm` as
    /// ``verify(_:realm:verifyCheckpoint:)`` does.
    public static func verify(databasePath: String, realm: String, verifyCheckpoint: (String) throws -> [UInt8])
        async throws -> AuditReport
    {
        try await verify(try SQLiteStore(readingOnly: databasePath), realm: realm, verifyCheckpoint: verifyCheckpoint)
    }

    /// Checks `realm`'s chain and checkpoints as `store` holds them.
    ///
    /// `verifyCheckpoint` receives each checkpoint's compact JWS and returns its verified
    /// payload, or throws when the signature (or its `typ`, key, algorithm) is not
    /// acceptable; the CLI verifies against the realm's JWKS.
    ///
    /// Returns a report (valid or naming the first bad entry); throws only when the store
    /// cannot be read.
    public static func verify(_ store: some AuditChainReader, realm: String,
                              verifyCheckpoint: (String) throws -> [UInt8]) async throws -> AuditReport
    {
        // Checkpoints known before the first entry is read: their entries were committed with
        // them, so a chain that ends before one of them has lost its tail. Ones committed
        // later are fetched when their entry shows up, and are not held against the end.
        let initial = try await checkpointMap(store, realm: realm)
        var checkpoints = initial
        var pendingAtStart = Set(initial.keys)
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
        while true {
            let page = try await store.storedEntries(realm: realm, after: expected - 1, limit: pageSize)
            for record in page {
                let seq = record.sequence
                guard seq == expected else {
                    let through = seq - 1 > expected ? " through entry \(seq - 1)" : ""
                    return broken(expected, "missing\(through) (deleted from the table)")
                }
                let entry: AuditEntry
                switch record {
                case .entry(let stored): entry = stored
                case .undecodable(_, let problem):
                    return broken(seq, "its stored fields do not decode (a field was changed): \(problem)")
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
                if checkpoints[seq] == nil, entry.event.type == AuditChain.checkpointType {
                    // Committed after the first read (a running server): read them again.
                    checkpoints.merge(try await checkpointMap(store, realm: realm)) { old, _ in old }
                }
                if let checkpoint = checkpoints.removeValue(forKey: seq) {
                    pendingAtStart.remove(seq)
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
            if page.count < pageSize { break }
        }

        // Checkpoints past the end: the entries they seal are gone.
        if let seq = pendingAtStart.min(), let checkpoint = checkpoints[seq] {
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

    private static func checkpointMap(_ store: some AuditChainReader, realm: String) async throws
        -> [Int64: StoredAuditCheckpoint]
    {
        var map: [Int64: StoredAuditCheckpoint] = [:]
        for checkpoint in try await store.storedCheckpoints(realm: realm) { map[checkpoint.sequence] = checkpoint }
        return map
    }

    /// Why `checkpoint` does not vouch for `entry`, or nil when it does.
    private static func problem(with checkpoint: StoredAuditCheckpoint, of entry: AuditEntry, realm: String,
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

import Crypto
import Foundation
import HeraldCore
import PostgresNIO

/// The chain arithmetic of the audit log, computing exactly the bytes of the SQLite store's
/// (HeraldStore's AuditChain), a batch's append, and the mapping of `audit_log` rows.
enum PostgresAuditChain {
    /// The columns every read selects, in ``Row``'s order.
    static let columns = "realm, seq, time_ms, type, actor, agent, client, reason, detail, prev_hash, hash"

    typealias Row = (String, Int64, Int64, String, String, String?, String?, String?, String, String, String)

    /// Lowercase hex SHA-256.
    static func hash(_ bytes: [UInt8]) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in SHA256.hash(data: bytes) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func date(milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    /// `event` as entry `sequence` after `previousHash`, its time cut to whole milliseconds
    /// first (the stored precision), so the entry returned equals the entry read back.
    static func seal(_ event: AuditEvent, sequence: Int64, previousHash: String) -> AuditEntry {
        var event = event
        event.time = date(milliseconds: AuditQuery.milliseconds(event.time))
        let digest = hash(AuditEntry.canonicalForm(sequence: sequence, event: event, previousHash: previousHash))
        return AuditEntry(sequence: sequence, event: event, previousHash: previousHash, hash: digest)
    }

    /// The detail column: a JSON object with sorted keys (the canonical form's own encoding).
    static func detailJSON(_ detail: [String: String]) -> String {
        var writer = JSONWriter(capacity: 64)
        writer.beginObject()
        for key in detail.keys.sorted() { writer.member(key, detail[key]!) }
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// What one submission asks the writer for.
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
        var seq: Int64
        var hash: String
        var isCheckpoint: Bool

        init(seq: Int64, hash: String, isCheckpoint: Bool) {
            self.seq = seq
            self.hash = hash
            self.isCheckpoint = isCheckpoint
        }

        init(_ entry: AuditEntry) {
            self.init(seq: entry.sequence, hash: entry.hash, isCheckpoint: entry.event.type == AuditCheckpoint.entryType)
        }
    }

    /// Rows per INSERT statement: 11 parameters each, far below PostgreSQL's 65 535.
    static let rowsPerInsert = 1_000

    /// A batch chained onto its heads, not yet written.
    struct Sealed: Sendable {
        /// A result per submission, in order.
        var results: [Result<AuditEntry?, any Error>] = []
        /// The rows to insert, in chain order per realm.
        var entries: [AuditEntry] = []
        var checkpoints: [(entry: AuditEntry, jws: String, createdMilliseconds: Int64)] = []
        /// The heads after the batch.
        var heads: [String: ChainHead]
    }

    /// Seals each submission in order onto `heads` (which must hold every realm of `work`). A
    /// checkpoint whose signing fails only fails that checkpoint, before anything of it is sealed.
    static func seal(_ work: [Work], onto heads: [String: ChainHead]) -> Sealed {
        var sealed = Sealed(heads: heads)
        sealed.results.reserveCapacity(work.count)
        sealed.entries.reserveCapacity(work.count)
        for item in work {
            let realm = item.realm
            guard let head = sealed.heads[realm] else { preconditionFailure("every realm of the batch has a head") }
            switch item {
            case .event(let event):
                let entry = seal(event, sequence: head.seq + 1, previousHash: head.hash)
                sealed.entries.append(entry)
                sealed.heads[realm] = ChainHead(entry)
                sealed.results.append(.success(entry))

            case .checkpoint(_, let time, let sign):
                // Nothing since the last checkpoint (or nothing at all): nothing to seal.
                guard head.seq > 0, !head.isCheckpoint else {
                    sealed.results.append(.success(nil))
                    continue
                }
                let event = AuditEvent(type: AuditCheckpoint.entryType, realm: realm, time: time, actor: "system",
                                       detail: ["through_seq": String(head.seq), "through_hash": head.hash])
                let entry = seal(event, sequence: head.seq + 1, previousHash: head.hash)
                let checkpoint = AuditCheckpoint(realm: realm, seq: entry.sequence, hash: entry.hash,
                                                 timeMilliseconds: AuditQuery.milliseconds(entry.event.time))
                let jws: String
                do { jws = try sign(checkpoint.payload) } catch {
                    sealed.results.append(.failure(HeraldError(.crypto, "signing the audit checkpoint of \(realm): \(error)")))
                    continue
                }
                sealed.entries.append(entry)
                sealed.checkpoints.append((entry, jws, checkpoint.timeMilliseconds))
                sealed.heads[realm] = ChainHead(entry)
                sealed.results.append(.success(entry))
            }
        }
        return sealed
    }

    /// Chains and inserts one batch inside the caller's transaction: locks every chain the batch
    /// extends, reads their heads, seals the batch onto them and inserts it in a few multi-row
    /// statements (a round trip per row would cost more than the commit). Any database error
    /// aborts the whole batch; a sequence number taken meanwhile throws ``ChainConflict``.
    static func appendLocked(_ work: [Work], _ connection: PostgresConnection, logger: Logger) async throws -> Sealed {
        var heads: [String: ChainHead] = [:]
        // Sorted: two replicas locking the same realms always take them in the same order.
        for realm in Set(work.map(\.realm)).sorted() {
            // Serialises the chain's writers across every process until COMMIT.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\("herald.audit:" + realm), 0))",
                                       logger: logger)
            var head = ChainHead(seq: 0, hash: AuditEntry.genesisHash, isCheckpoint: false)
            for try await (seq, hash, type) in try await connection.query(
                "SELECT seq, hash, type FROM audit_log WHERE realm = \(realm) ORDER BY seq DESC LIMIT 1", logger: logger)
                .decode((Int64, String, String).self) {
                head = ChainHead(seq: seq, hash: hash, isCheckpoint: type == AuditCheckpoint.entryType)
            }
            heads[realm] = head
        }
        let sealed = seal(work, onto: heads)
        var start = 0
        while start < sealed.entries.count {
            let end = min(start + rowsPerInsert, sealed.entries.count)
            do { try await connection.query(insertStatement(sealed.entries[start..<end]), logger: logger) } catch
                where isChainConflict(error) { throw ChainConflict() }
            start = end
        }
        for checkpoint in sealed.checkpoints {
            let entry = checkpoint.entry
            try await connection.query("""
                INSERT INTO audit_checkpoints (realm, seq, hash, jws, created_ms)
                VALUES (\(entry.event.realm), \(entry.sequence), \(entry.hash), \(checkpoint.jws), \(checkpoint.createdMilliseconds))
                """, logger: logger)
        }
        return sealed
    }

    /// The batch sealed onto the heads this writer committed last, when that needs one
    /// statement (events only, at most ``rowsPerInsert``), else nil.
    ///
    /// One INSERT in autocommit is one round trip instead of five (BEGIN, lock, head, INSERT,
    /// COMMIT), and it is safe without the lock: every writer appends at its head + 1, so
    /// while no other writer appended, the cached head is the real one; once one did, the
    /// row at our head + 1 exists and the primary key (realm, seq) refuses the whole
    /// statement (``isChainConflict(_:)``), and the writer redoes the batch under the lock.
    static func sealedForOneStatement(_ work: [Work], cached heads: [String: ChainHead]) -> Sealed? {
        guard work.count <= rowsPerInsert else { return nil }
        for item in work {
            guard case .event(let event) = item, heads[event.realm] != nil else { return nil }
        }
        return seal(work, onto: heads)
    }

    /// A locked append found a sequence number taken: a writer that appends in one statement
    /// (without the lock) moved the head after it was read. The batch is redone.
    struct ChainConflict: Error {}

    /// A unique violation: another writer took one of the sequence numbers (SQLSTATE 23505).
    static func isChainConflict(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }

    /// One INSERT of `entries` (a VALUES row each).
    static func insertStatement(_ entries: ArraySlice<AuditEntry>) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: entries.count * 11)
        var sql = "INSERT INTO audit_log (realm, seq, time_ms, type, actor, agent, client, reason, detail, prev_hash, hash) VALUES "
        sql.reserveCapacity(sql.utf8.count + entries.count * 80)
        for (row, entry) in entries.enumerated() {
            let event = entry.event
            bindings.append(event.realm)
            bindings.append(entry.sequence)
            bindings.append(AuditQuery.milliseconds(event.time))
            bindings.append(event.type)
            bindings.append(event.actor)
            bindings.append(event.agent)
            bindings.append(event.client)
            bindings.append(event.reason)
            bindings.append(detailJSON(event.detail))
            bindings.append(entry.previousHash)
            bindings.append(entry.hash)
            let first = row * 11
            if row > 0 { sql += "," }
            sql += "("
            for column in 1...11 { sql += column == 1 ? "$\(first + column)" : ",$\(first + column)" }
            sql += ")"
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// A row back into an entry, exactly as stored (nothing checked: the verifier recomputes).
    static func entry(_ row: Row) throws -> AuditEntry {
        let detail: [String: String]
        do { detail = try JSONDecoder().decode([String: String].self, from: Data(row.8.utf8)) } catch {
            throw HeraldError(.storage, "detail is not a JSON object of strings")
        }
        let event = AuditEvent(type: row.3, realm: row.0, time: date(milliseconds: row.2), actor: row.4, agent: row.5,
                               client: row.6, reason: row.7, detail: detail)
        return AuditEntry(sequence: row.1, event: event, previousHash: row.9, hash: row.10)
    }
}

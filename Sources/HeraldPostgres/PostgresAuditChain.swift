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

    /// Chains and inserts one batch inside the caller's transaction: locks every chain the batch
    /// extends, reads their heads, seals each entry in order and inserts them in a few
    /// multi-row statements (a round trip per row would cost more than the commit). Any
    /// database error aborts the whole batch; a checkpoint whose signing fails only fails that
    /// checkpoint, before anything of it is written. A result per submission, in order.
    static func append(_ work: [Work], _ connection: PostgresConnection, logger: Logger) async throws
        -> [Result<AuditEntry?, any Error>]
    {
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
        var results: [Result<AuditEntry?, any Error>] = []
        results.reserveCapacity(work.count)
        var entries: [AuditEntry] = []
        entries.reserveCapacity(work.count)
        var checkpoints: [(entry: AuditEntry, jws: String, createdMilliseconds: Int64)] = []
        for item in work {
            let realm = item.realm
            guard let head = heads[realm] else { preconditionFailure("every realm of the batch has a head") }
            switch item {
            case .event(let event):
                let entry = seal(event, sequence: head.seq + 1, previousHash: head.hash)
                entries.append(entry)
                heads[realm] = ChainHead(entry)
                results.append(.success(entry))

            case .checkpoint(_, let time, let sign):
                // Nothing since the last checkpoint (or nothing at all): nothing to seal.
                guard head.seq > 0, !head.isCheckpoint else {
                    results.append(.success(nil))
                    continue
                }
                let event = AuditEvent(type: AuditCheckpoint.entryType, realm: realm, time: time, actor: "system",
                                       detail: ["through_seq": String(head.seq), "through_hash": head.hash])
                let entry = seal(event, sequence: head.seq + 1, previousHash: head.hash)
                let checkpoint = AuditCheckpoint(realm: realm, seq: entry.sequence, hash: entry.hash,
                                                 timeMilliseconds: AuditQuery.milliseconds(entry.event.time))
                let jws: String
                do { jws = try sign(checkpoint.payload) } catch {
                    results.append(.failure(HeraldError(.crypto, "signing the audit checkpoint of \(realm): \(error)")))
                    continue
                }
                entries.append(entry)
                checkpoints.append((entry, jws, checkpoint.timeMilliseconds))
                heads[realm] = ChainHead(entry)
                results.append(.success(entry))
            }
        }
        var start = 0
        while start < entries.count {
            let end = min(start + rowsPerInsert, entries.count)
            try await connection.query(insertStatement(entries[start..<end]), logger: logger)
            start = end
        }
        for checkpoint in checkpoints {
            let entry = checkpoint.entry
            try await connection.query("""
                INSERT INTO audit_checkpoints (realm, seq, hash, jws, created_ms)
                VALUES (\(entry.event.realm), \(entry.sequence), \(entry.hash), \(checkpoint.jws), \(checkpoint.createdMilliseconds))
                """, logger: logger)
        }
        return results
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

import Crypto
import Foundation
import HeraldCore
import PostgresNIO

/// The chain arithmetic of the audit log, computing exactly the bytes of the SQLite store's
/// (HeraldStore's AuditChain), and the mapping of `audit_log` rows.
enum PostgresAuditChain {
    /// The columns every read selects, in ``Row``'s order.
    static let columns = "realm, seq, time_ms, type, actor, agent, client, reason, detail, prev_hash, hash"

    typealias Row = (String, Int64, Int64, String, String, String?, String?, String?, String, String, String)

    /// Lowercase hex SHA-256.
    static func hash(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
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

    static func insert(_ entry: AuditEntry, _ connection: PostgresConnection, logger: Logger) async throws {
        let event = entry.event
        try await connection.query("""
            INSERT INTO audit_log (realm, seq, time_ms, type, actor, agent, client, reason, detail, prev_hash, hash)
            VALUES (\(event.realm), \(entry.sequence), \(AuditQuery.milliseconds(event.time)), \(event.type),
                    \(event.actor), \(event.agent), \(event.client), \(event.reason), \(detailJSON(event.detail)),
                    \(entry.previousHash), \(entry.hash))
            """, logger: logger)
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

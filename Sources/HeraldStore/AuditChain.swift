import Crypto
import Foundation
import GRDB
import HeraldCore

/// The chain arithmetic and the row mapping shared by the writer (``SQLiteAuditLog``) and
/// the offline checker (``AuditVerifier``), so that both compute exactly the same bytes.
enum AuditChain {
    /// The previous hash of every realm's first entry.
    static let genesisHash = AuditEntry.genesisHash
    /// The event type of the chain entries that ``SQLiteAuditLog/checkpoint(realm:at:sign:)`` appends.
    static let checkpointType = AuditCheckpoint.entryType

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

    /// The same rounding as ``AuditEntry/canonicalForm(sequence:event:previousHash:)``.
    static func milliseconds(_ date: Date) -> Int64 { AuditQuery.milliseconds(date) }

    static func date(milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    /// `event` as entry `sequence` after `previousHash`. The time is cut to whole
    /// milliseconds first (the stored precision), so the entry returned to the caller equals
    /// the entry read back later.
    static func seal(_ event: AuditEvent, sequence: Int64, previousHash: String) -> AuditEntry {
        var event = event
        event.time = date(milliseconds: milliseconds(event.time))
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

    static func insert(_ entry: AuditEntry, _ db: Database) throws {
        let event = entry.event
        // A cached statement: the writer inserts thousands of rows a second, and compiling
        // the SQL each time costs more than the insert.
        let statement = try db.cachedStatement(sql: """
            INSERT INTO audit_log (realm, seq, time_ms, type, actor, agent, client, reason, detail, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [event.realm, entry.sequence, milliseconds(event.time), event.type, event.actor,
                             event.agent, event.client, event.reason, detailJSON(event.detail), entry.previousHash,
                             entry.hash])
    }

    /// Reads an `audit_log` row back into an entry, exactly as stored: nothing is checked
    /// here, so the verifier can recompute the hash over what is really in the file.
    static func entry(_ row: Row) throws -> AuditEntry {
        let detailText = try row.decode(String.self, forColumn: "detail")
        let detail: [String: String]
        do {
            detail = try JSONDecoder().decode([String: String].self, from: Data(detailText.utf8))
        } catch {
            throw HeraldError(.storage, "detail is not a JSON object of strings")
        }
        let event = AuditEvent(
            type: try row.decode(String.self, forColumn: "type"),
            realm: try row.decode(String.self, forColumn: "realm"),
            time: date(milliseconds: try row.decode(Int64.self, forColumn: "time_ms")),
            actor: try row.decode(String.self, forColumn: "actor"),
            agent: try row.decode(String?.self, forColumn: "agent"),
            client: try row.decode(String?.self, forColumn: "client"),
            reason: try row.decode(String?.self, forColumn: "reason"),
            detail: detail)
        return AuditEntry(sequence: try row.decode(Int64.self, forColumn: "seq"), event: event,
                          previousHash: try row.decode(String.self, forColumn: "prev_hash"),
                          hash: try row.decode(String.self, forColumn: "hash"))
    }
}

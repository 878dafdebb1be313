import Foundation
import GRDB
import HeraldCore

extension SQLiteStore: AuditChainReader {
    public func storedCheckpoints(realm: String) async throws -> [StoredAuditCheckpoint] {
        try await mapErrors("reading the audit checkpoints of \(realm)") {
            try await writer.read { db in
                try Self.requireAuditTables(db)
                return try Row.fetchAll(db, sql: "SELECT seq, hash, jws FROM audit_checkpoints WHERE realm = ?",
                                        arguments: [realm]).map { row in
                    StoredAuditCheckpoint(sequence: try row.decode(forColumn: "seq"), hash: try row.decode(forColumn: "hash"),
                                          jws: try row.decode(forColumn: "jws"))
                }
            }
        }
    }

    public func storedEntries(realm: String, after: Int64, limit: Int) async throws -> [StoredAuditRecord] {
        try await mapErrors("reading the audit log of \(realm)") {
            try await writer.read { db in
                try Self.requireAuditTables(db)
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM audit_log WHERE realm = ? AND seq > ? ORDER BY seq LIMIT ?",
                                            arguments: [realm, after, max(1, limit)])
                return try rows.map { row in
                    let sequence = try row.decode(Int64.self, forColumn: "seq")
                    do { return .entry(try AuditChain.entry(row)) } catch {
                        return .undecodable(sequence: sequence, problem: "\(error)")
                    }
                }
            }
        }
    }

    /// A file that is some other SQLite database has no audit tables: say so rather than
    /// report an empty, intact chain.
    private static func requireAuditTables(_ db: Database) throws {
        guard try db.tableExists("audit_log"), try db.tableExists("audit_checkpoints") else {
            throw HeraldError(.storage, "the database has no audit log (is it a Herald database?)")
        }
    }
}

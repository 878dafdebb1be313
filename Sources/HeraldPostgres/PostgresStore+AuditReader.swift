import Foundation
import HeraldCore
import PostgresNIO

extension PostgresStore: AuditChainReader {
    public func storedCheckpoints(realm: String) async throws -> [StoredAuditCheckpoint] {
        try await read("reading the audit checkpoints of \(realm)") { connection in
            var checkpoints: [StoredAuditCheckpoint] = []
            for try await (seq, hash, jws) in try await connection.query(
                "SELECT seq, hash, jws FROM audit_checkpoints WHERE realm = \(realm)", logger: logger)
                .decode((Int64, String, String).self) {
                checkpoints.append(StoredAuditCheckpoint(sequence: seq, hash: hash, jws: jws))
            }
            return checkpoints
        }
    }

    public func storedEntries(realm: String, after: Int64, limit: Int) async throws -> [StoredAuditRecord] {
        let limit = Int64(max(1, limit))
        return try await read("reading the audit log of \(realm)") { connection in
            var records: [StoredAuditRecord] = []
            let rows = try await connection.query("""
                SELECT \(unescaped: PostgresAuditChain.columns) FROM audit_log
                WHERE realm = \(realm) AND seq > \(after) ORDER BY seq LIMIT \(limit)
                """, logger: logger)
            for try await row in rows.decode(PostgresAuditChain.Row.self) {
                do { records.append(.entry(try PostgresAuditChain.entry(row))) } catch {
                    records.append(.undecodable(sequence: row.1, problem: "\(error)"))
                }
            }
            return records
        }
    }
}

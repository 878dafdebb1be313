import Foundation
import GRDB
import HeraldCore

extension SQLiteAuditLog {
    /// Committed entries matching `query` (``AuditQuery/matches(_:)``, in SQL), oldest first,
    /// at most ``AuditQuery/effectiveLimit``.
    public func entries(_ query: AuditQuery) async throws -> [AuditEntry] {
        var conditions = ["realm = ?"]
        var arguments: [(any DatabaseValueConvertible & Sendable)?] = [query.realm]
        func add(_ condition: String, _ values: (any DatabaseValueConvertible & Sendable)...) {
            conditions.append(condition)
            arguments.append(contentsOf: values)
        }
        if let from = query.from { add("time_ms >= ?", AuditChain.milliseconds(from)) }
        if let to = query.to { add("time_ms < ?", AuditChain.milliseconds(to)) }
        if let type = query.type, type != "*" {
            if type.hasSuffix(".*") {
                // A range rather than LIKE, so the (realm, type, seq) index serves it: every
                // string starting with "a.b." sorts at or after "a.b." and before "a.b/".
                let prefix = String(type.dropLast())
                add("type >= ? AND type < ?", prefix, String(prefix.dropLast()) + "/")
            } else {
                add("type = ?", type)
            }
        }
        if let agent = query.agent { add("agent = ?", agent) }
        if let client = query.client { add("client = ?", client) }
        if let after = query.after { add("seq > ?", after) }
        arguments.append(query.effectiveLimit)
        let sql = "SELECT * FROM audit_log WHERE \(conditions.joined(separator: " AND ")) ORDER BY seq LIMIT ?"
        let statementArguments = StatementArguments(arguments)
        return try await store.mapErrors("reading the audit log of \(query.realm)") {
            try await store.writer.read { db in
                try Row.fetchAll(db, sql: sql, arguments: statementArguments).map(AuditChain.entry)
            }
        }
    }
}

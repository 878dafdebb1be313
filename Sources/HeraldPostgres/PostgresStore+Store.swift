import Foundation
import HeraldCore
import Logging
import PostgresNIO

extension PostgresStore: Store {
    /// Proves the database takes writes now: a transaction that asks for a transaction id
    /// (which a read-only standby or a full disk refuses) and rolls back, writing nothing.
    /// Also unready while the change listener is down: other replicas' kills and edits
    /// would not reach this one until it reconnects.
    public func probeWrite() async throws {
        if listener.isDown {
            throw HeraldError(.storage, """
                the change listener of \(location) is not connected: kills and realm changes made on other replicas \
                are not enforced here until it reconnects (it retries every few seconds)
                """)
        }
        try await mapErrors("probing \(location) for writes") {
            try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    try await connection.query("SELECT txid_current()", logger: logger)
                    try await connection.query("ROLLBACK", logger: logger)
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
    }

    /// How many private keys (token and federation) the database holds sealed.
    public func sealedKeyCount() async throws -> Int {
        try await read("counting sealed keys") { connection in
            var total = 0
            for try await count in try await connection.query(
                "SELECT (SELECT COUNT(*) FROM signing_keys) + (SELECT COUNT(*) FROM federation_keys)", logger: logger)
                .decode(Int.self) { total = count }
            return total
        }
    }

    /// The replay cache, change feeds and federation sequence in this database, shared by
    /// every replica on it (PostgresReplayCache, PostgresLifecycleChangeFeed,
    /// PostgresRealmChangeFeed, PostgresFederationSequence).
    public func sharedState() -> SharedState? { shared }

    /// A ``PostgresAuditLog`` appending to this database.
    public func makeAuditLog(settings: AuditWriterSettings, logger: Logger?) -> any AuditLogWriter {
        PostgresAuditLog(store: self, settings: settings, logger: logger)
    }
}

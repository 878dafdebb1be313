import Foundation
import GRDB
import HeraldCore

extension SQLiteStore: CapabilityRepository {
    /// Migration 0008. No foreign key to `realms`: a realm re-imported (its row replaced)
    /// must not forget which of its capabilities were used while they are still valid.
    static func createCapabilities(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE consumed_capabilities (
                realm TEXT NOT NULL,
                jti TEXT NOT NULL,
                expires_at REAL NOT NULL,
                consumed_at REAL NOT NULL,
                PRIMARY KEY (realm, jti)
            ) STRICT;
            CREATE INDEX consumed_capabilities_by_expiry ON consumed_capabilities(expires_at);
            """)
    }

    /// One write transaction: SQLite has one writer, and the primary key makes the second
    /// insert of a `jti` a no-op, so exactly one caller sees its row inserted.
    public func consumeCapability(realm: String, jti: String, expiresAt: Date, consumedAt: Date) async throws -> Bool {
        try await mapErrors("consuming a capability of \(realm)") {
            try await writer.write { db in
                try db.execute(sql: "DELETE FROM consumed_capabilities WHERE expires_at < ?",
                               arguments: [consumedAt.timeIntervalSince1970 - CapabilityRetention.graceSeconds])
                try db.execute(sql: """
                    INSERT OR IGNORE INTO consumed_capabilities (realm, jti, expires_at, consumed_at) VALUES (?, ?, ?, ?)
                    """, arguments: [realm, jti, expiresAt.timeIntervalSince1970, consumedAt.timeIntervalSince1970])
                return db.changesCount == 1
            }
        }
    }
}

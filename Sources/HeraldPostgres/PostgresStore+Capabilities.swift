import Foundation
import HeraldCore
import PostgresNIO

extension PostgresStore: CapabilityRepository {
    /// Migration 0008 (``PostgresMigrations``). No foreign key to `realms`, as in SQLite: a
    /// re-imported realm must not forget which of its valid capabilities were used.
    static let createCapabilities = """
        CREATE TABLE consumed_capabilities (
            realm TEXT NOT NULL,
            jti TEXT NOT NULL,
            expires_at DOUBLE PRECISION NOT NULL,
            consumed_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (realm, jti)
        );
        CREATE INDEX consumed_capabilities_by_expiry ON consumed_capabilities(expires_at)
        """

    /// One statement decides: `INSERT … ON CONFLICT DO NOTHING RETURNING` yields a row only to
    /// the one transaction whose insert took (the primary key serialises concurrent inserts of
    /// one `jti`, whichever replica makes them).
    public func consumeCapability(realm: String, jti: String, expiresAt: Date, consumedAt: Date) async throws -> Bool {
        let horizon = consumedAt.timeIntervalSince1970 - CapabilityRetention.graceSeconds
        let expires = expiresAt.timeIntervalSince1970, consumed = consumedAt.timeIntervalSince1970
        return try await transaction("consuming a capability of \(realm)") { connection in
            try await connection.query("DELETE FROM consumed_capabilities WHERE expires_at < \(horizon)", logger: logger)
            var inserted = false
            for try await _ in try await connection.query("""
                INSERT INTO consumed_capabilities (realm, jti, expires_at, consumed_at)
                VALUES (\(realm), \(jti), \(expires), \(consumed))
                ON CONFLICT (realm, jti) DO NOTHING RETURNING jti
                """, logger: logger).decode(String.self) { inserted = true }
            return inserted
        }
    }
}

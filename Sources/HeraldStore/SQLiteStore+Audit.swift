import GRDB

extension SQLiteStore {
    /// Migration 0003: the audit chain and its signed checkpoints.
    ///
    /// Append-only by design: no code updates or deletes these rows, and neither table
    /// references `realms`, so deleting a realm never takes its history with it. The
    /// secondary indexes end in `seq` so that a filtered query pages (`seq > after`) and
    /// orders by sequence inside the index.
    static func createAuditLog(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE audit_log (
                realm TEXT NOT NULL,
                seq INTEGER NOT NULL,
                time_ms INTEGER NOT NULL,
                type TEXT NOT NULL,
                actor TEXT NOT NULL,
                agent TEXT,
                client TEXT,
                reason TEXT,
                detail TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL,
                PRIMARY KEY (realm, seq)
            ) STRICT
            """)
        try db.execute(sql: "CREATE INDEX audit_log_by_time ON audit_log(realm, time_ms, seq)")
        try db.execute(sql: "CREATE INDEX audit_log_by_type ON audit_log(realm, type, seq)")
        try db.execute(sql: "CREATE INDEX audit_log_by_agent ON audit_log(realm, agent, seq) WHERE agent IS NOT NULL")
        try db.execute(sql: "CREATE INDEX audit_log_by_client ON audit_log(realm, client, seq) WHERE client IS NOT NULL")
        try db.execute(sql: """
            CREATE TABLE audit_checkpoints (
                realm TEXT NOT NULL,
                seq INTEGER NOT NULL,
                hash TEXT NOT NULL,
                jws TEXT NOT NULL,
                created_ms INTEGER NOT NULL,
                PRIMARY KEY (realm, seq)
            ) STRICT
            """)
    }
}

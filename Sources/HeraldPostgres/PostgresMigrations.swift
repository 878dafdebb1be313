import Foundation
import HeraldCore
import Logging
import PostgresNIO

/// The PostgreSQL schema: numbered, append-only migrations with the identifiers (and tables)
/// of the SQLite store's, recorded in `herald_migrations`.
///
/// Every process that opens the store runs ``migrate(_:)``: one transaction that first takes
/// a transaction-scoped advisory lock, so when several replicas start together one applies
/// the pending migrations and the others wait, then find nothing to do. An identifier this
/// binary does not know means a newer Herald migrated the database: refused (fail closed).
enum PostgresMigrations {
    /// The advisory lock key of migrations (any constant the rest of Herald does not use).
    static let lockKey: Int64 = 0x4845_5241_4C44_0001 // "HERALD" 1

    /// Identifier and SQL of each migration, in order.
    static let all: [(id: String, sql: String)] = [
        ("0001_create_realms", """
            CREATE TABLE realms (
                name TEXT PRIMARY KEY,
                config BYTEA NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL
            )
            """),
        ("0002_create_signing_keys", keyTable("signing_keys") + """
            ;
            CREATE UNIQUE INDEX one_active_key_per_algorithm ON signing_keys(realm, algorithm) WHERE state = 'active'
            """),
        ("0003_create_audit_log", """
            CREATE TABLE audit_log (
                realm TEXT NOT NULL,
                seq BIGINT NOT NULL,
                time_ms BIGINT NOT NULL,
                type TEXT NOT NULL,
                actor TEXT NOT NULL,
                agent TEXT,
                client TEXT,
                reason TEXT,
                detail TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL,
                PRIMARY KEY (realm, seq)
            );
            CREATE INDEX audit_log_by_time ON audit_log(realm, time_ms, seq);
            CREATE INDEX audit_log_by_type ON audit_log(realm, type COLLATE "C", seq);
            CREATE INDEX audit_log_by_agent ON audit_log(realm, agent, seq) WHERE agent IS NOT NULL;
            CREATE INDEX audit_log_by_client ON audit_log(realm, client, seq) WHERE client IS NOT NULL;
            CREATE TABLE audit_checkpoints (
                realm TEXT NOT NULL,
                seq BIGINT NOT NULL,
                hash TEXT NOT NULL,
                jws TEXT NOT NULL,
                created_ms BIGINT NOT NULL,
                PRIMARY KEY (realm, seq)
            )
            """),
        ("0004_create_lifecycle", """
            CREATE TABLE agent_lifecycle (
                realm TEXT NOT NULL REFERENCES realms(name) ON DELETE CASCADE,
                agent_id TEXT NOT NULL,
                status_index INTEGER NOT NULL,
                record BYTEA NOT NULL,
                PRIMARY KEY (realm, agent_id),
                UNIQUE (realm, status_index)
            );
            CREATE TABLE org_kills (
                realm TEXT NOT NULL REFERENCES realms(name) ON DELETE CASCADE,
                org TEXT NOT NULL,
                record BYTEA NOT NULL,
                PRIMARY KEY (realm, org)
            );
            CREATE TABLE revoked_tokens (
                realm TEXT NOT NULL REFERENCES realms(name) ON DELETE CASCADE,
                jti TEXT NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (realm, jti)
            );
            CREATE TABLE passports (
                realm TEXT NOT NULL REFERENCES realms(name) ON DELETE CASCADE,
                passport_id TEXT NOT NULL,
                agent_id TEXT NOT NULL,
                record BYTEA NOT NULL,
                PRIMARY KEY (realm, passport_id)
            )
            """),
        ("0005_create_federation", keyTable("federation_keys") + """
            ;
            CREATE UNIQUE INDEX one_active_federation_key ON federation_keys(realm) WHERE state = 'active';
            CREATE TABLE federation_peers (
                realm TEXT NOT NULL REFERENCES realms(name) ON DELETE CASCADE,
                entity TEXT NOT NULL,
                state BYTEA NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (realm, entity)
            )
            """),
        ("0006_create_herald_meta", """
            CREATE TABLE herald_meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            )
            """),
        // The replica-shared state (PostgresSharedState): used client assertion ids, and the
        // last federation bundle sequence of each realm. No foreign key to realms: a replay
        // entry outlives nothing, and a sequence must never go back if a realm is re-created.
        ("0007_create_shared_state", """
            CREATE TABLE assertion_replay (
                id TEXT PRIMARY KEY,
                expires_at DOUBLE PRECISION NOT NULL
            );
            CREATE INDEX assertion_replay_by_expiry ON assertion_replay(expires_at);
            CREATE TABLE federation_sequences (
                realm TEXT PRIMARY KEY,
                last BIGINT NOT NULL
            )
            """),
        ("0008_create_consumed_capabilities", PostgresStore.createCapabilities),
    ]

    /// Token keys and federation keys have one shape (SQLite's `signing_keys`).
    private static func keyTable(_ name: String) -> String {
        """
        CREATE TABLE \(name) (
            realm TEXT NOT NULL REFERENCES realms(name) ON DELETE CASCADE,
            kid TEXT NOT NULL,
            algorithm TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('prepared', 'active', 'retired', 'revoked')),
            created_at DOUBLE PRECISION NOT NULL,
            activate_at DOUBLE PRECISION,
            activated_at DOUBLE PRECISION,
            retired_at DOUBLE PRECISION,
            publish_until DOUBLE PRECISION,
            revoked_at DOUBLE PRECISION,
            public_jwk TEXT NOT NULL,
            sealed_private_key BYTEA NOT NULL,
            PRIMARY KEY (realm, kid)
        )
        """
    }

    /// Applies the pending migrations in one transaction under the advisory lock; returns the
    /// identifiers this call applied (none when another process got there first).
    @discardableResult
    static func migrate(_ connection: PostgresConnection, location: StoreLocation, logger: Logger) async throws
        -> [String]
    {
        try await PostgresStore.inTransaction(connection, logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS herald_migrations (
                    id TEXT PRIMARY KEY,
                    applied_at DOUBLE PRECISION NOT NULL
                )
                """, logger: logger)
            let applied = try await appliedIdentifiers(connection, logger: logger)
            try check(applied: applied, location: location)
            var ran: [String] = []
            for migration in all where !applied.contains(migration.id) {
                // One statement a query: the extended protocol takes no more.
                for statement in migration.sql.components(separatedBy: ";\n") {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO herald_migrations (id, applied_at) VALUES (\(migration.id), \(Date().timeIntervalSince1970))",
                    logger: logger)
                ran.append(migration.id)
            }
            return ran
        }
    }

    /// Refuses a database a newer Herald migrated, or one that was never migrated (read-only opens).
    static func checkKnown(_ connection: PostgresConnection, location: StoreLocation, logger: Logger) async throws {
        let exists = try await connection.query("SELECT to_regclass('herald_migrations') IS NOT NULL", logger: logger)
            .decode(Bool.self).reduce(into: false) { $0 = $1 }
        let applied = exists ? try await appliedIdentifiers(connection, logger: logger) : []
        guard !applied.isEmpty else {
            throw HeraldError(.notFound, "\(location) has no Herald schema (start herald serve on it once)")
        }
        try check(applied: applied, location: location)
    }

    private static func appliedIdentifiers(_ connection: PostgresConnection, logger: Logger) async throws -> Set<String> {
        var applied = Set<String>()
        for try await id in try await connection.query("SELECT id FROM herald_migrations", logger: logger)
            .decode(String.self) { applied.insert(id) }
        return applied
    }

    private static func check(applied: Set<String>, location: StoreLocation) throws {
        let unknown = applied.subtracting(all.map(\.id)).sorted()
        guard unknown.isEmpty else {
            throw HeraldError(.storage, """
                \(location) was migrated by a newer Herald (unknown migrations: \(unknown.joined(separator: ", "))); \
                upgrade Herald or restore a backup taken before the upgrade
                """)
        }
    }
}

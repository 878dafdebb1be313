import Foundation
import GRDB
import HeraldCore

/// Herald's embedded store: one SQLite database in WAL mode through GRDB.
///
/// A ``Store`` (every repository protocol of `HeraldCore`); the server opens it through
/// ``SQLiteStoreBackend`` from a `sqlite:PATH` location and only ever sees the protocols.
public final class SQLiteStore: Sendable {
    let writer: any DatabaseWriter
    /// `sqlite:PATH`, or `sqlite::memory:` for a private in-memory database.
    public let location: StoreLocation

    /// Opens (creating when absent) the database at `path` and applies pending migrations.
    /// Refuses a database that a newer Herald migrated (``StoreSchema/checkKnown()``).
    public init(path: String) throws {
        location = .sqlite(path: path)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        do {
            // DatabasePool runs SQLite in WAL mode: readers never wait for the writer.
            writer = try DatabasePool(path: path, configuration: configuration)
            // GRDB leaves WAL connections at `synchronous = NORMAL`, which can lose the last
            // commits on power failure; an audit entry must be on disk before the request it
            // records is answered (group commit keeps the fsync per transaction affordable).
            // The pool's one writer connection lives as long as the pool, so once is enough.
            try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try StoreSchema.migrate(writer, migrator: Self.migrator)
        } catch let error as HeraldError {
            throw HeraldError(error.code, "\(path): \(error.message)")
        } catch {
            throw HeraldError(.storage, "cannot open the database \(path): \(error)")
        }
    }

    /// Opens the database at `path` read-only and without migrating, for offline checks that
    /// must not change the file (`herald backup verify`). Refuses a newer database too.
    public init(readingOnly path: String) throws {
        location = .sqlite(path: path)
        var configuration = Configuration()
        configuration.readonly = true
        do {
            writer = try DatabaseQueue(path: path, configuration: configuration)
            try writer.read { db in try StoreSchema.read(db).checkKnown() }
        } catch let error as HeraldError {
            throw HeraldError(error.code, "\(path): \(error.message)")
        } catch {
            throw HeraldError(.storage, "cannot open the database \(path) read-only: \(error)")
        }
    }

    /// A private in-memory database, for tests and offline tools.
    public init(inMemory: Void = ()) throws {
        location = .sqlite(path: ":memory:")
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        writer = try DatabaseQueue(configuration: configuration)
        try Self.migrator.migrate(writer)
    }

    /// Numbered, append-only migrations: never edit one that has shipped, add the next.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("0001_create_realms") { db in
            try db.execute(sql: """
                CREATE TABLE realms (
                    name TEXT PRIMARY KEY NOT NULL,
                    config BLOB NOT NULL,
                    updated_at REAL NOT NULL
                ) STRICT
                """)
        }
        migrator.registerMigration("0002_create_signing_keys") { db in
            try db.execute(sql: """
                CREATE TABLE signing_keys (
                    realm TEXT NOT NULL REFERENCES realms(name) ON DELETE CASCADE,
                    kid TEXT NOT NULL,
                    algorithm TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('prepared', 'active', 'retired', 'revoked')),
                    created_at REAL NOT NULL,
                    activate_at REAL,
                    activated_at REAL,
                    retired_at REAL,
                    publish_until REAL,
                    revoked_at REAL,
                    public_jwk TEXT NOT NULL,
                    sealed_private_key BLOB NOT NULL,
                    PRIMARY KEY (realm, kid)
                ) STRICT
                """)
            try db.execute(sql: """
                CREATE UNIQUE INDEX one_active_key_per_algorithm ON signing_keys(realm, algorithm)
                WHERE state = 'active'
                """)
        }
        migrator.registerMigration("0003_create_audit_log") { db in try createAuditLog(db) }
        migrator.registerMigration("0004_create_lifecycle") { db in try createLifecycle(db) }
        migrator.registerMigration("0005_create_federation") { db in try createFederation(db) }
        migrator.registerMigration("0006_create_herald_meta") { db in try StoreSchema.createMeta(db) }
        // 0007 is PostgreSQL's replica-shared state (SQLite shares nothing): the numbers stay one sequence.
        migrator.registerMigration("0008_create_consumed_capabilities") { db in try createCapabilities(db) }
        return migrator
    }

    /// SQLite's journal mode (`wal` for an on-disk store), for diagnostics.
    public func journalMode() async throws -> String {
        try await writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// Database failures become ``HeraldError/Code/storage``; errors thrown by a caller's
    /// change closure (a refused edit) pass through unchanged, after the rollback.
    func mapErrors<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as DatabaseError {
            throw HeraldError(.storage, "\(what): \(error)")
        } catch let error as HeraldError { throw error } catch let error as DecodingError {
            throw HeraldError(.storage, "\(what): \(error)")
        } catch let error as EncodingError {
            throw HeraldError(.storage, "\(what): \(error)")
        }
    }
}

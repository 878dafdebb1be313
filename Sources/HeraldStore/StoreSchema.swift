import Foundation
import GRDB
import HeraldCore

/// Which migrations a Herald database has, compared with the ones this binary knows.
///
/// GRDB records every applied migration's identifier in `grdb_migrations`. Migrations are
/// append-only, so the count of applied identifiers is the schema version (v1, v2, …), and an
/// identifier this binary does not know means a newer Herald migrated the file: its tables
/// may mean things this binary would misread or overwrite, so it refuses the file (fail
/// closed) instead of guessing. `herald_meta` keeps the version of the Herald that applied
/// the latest migrations, for the refusal message.
public struct StoreSchema: Sendable, Hashable {
    /// Every applied identifier: the known ones in registration order, then unknown ones sorted.
    public let applied: [String]
    /// Applied identifiers this binary does not know (written by a newer Herald).
    public let unknown: [String]
    /// Known migrations not applied yet, in the order they would run.
    public let pending: [String]
    /// The Herald release that last applied migrations, when the database records it.
    public let writtenBy: String?

    /// The database's schema version: how many migrations it has.
    public var version: Int { applied.count }
    /// True when a newer Herald migrated the database.
    public var isNewer: Bool { !unknown.isEmpty }

    /// The migrations this binary knows, in order.
    public static var knownMigrations: [String] { SQLiteStore.migrator.migrations }
    /// The schema version this binary migrates to.
    public static var latestVersion: Int { knownMigrations.count }

    /// Reads the schema of the database at `path`, opened read-only (the server may be running).
    public static func read(databasePath path: String) throws -> StoreSchema {
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in try read(db) }
        } catch {
            throw HeraldError(.storage, "cannot read the schema of the database \(path): \(error)")
        }
    }

    static func read(_ db: Database, migrator: DatabaseMigrator = SQLiteStore.migrator) throws -> StoreSchema {
        let identifiers = try migrator.appliedIdentifiers(db)
        let known = migrator.migrations
        let unknown = identifiers.subtracting(known).sorted()
        var writtenBy: String?
        if try db.tableExists("herald_meta") {
            writtenBy = try String.fetchOne(db, sql: "SELECT value FROM herald_meta WHERE key = ?",
                                            arguments: [writtenByKey])
        }
        return StoreSchema(applied: known.filter(identifiers.contains) + unknown, unknown: unknown,
                           pending: known.filter { !identifiers.contains($0) }, writtenBy: writtenBy)
    }

    /// Throws the refusal when a newer Herald migrated the database.
    public func checkKnown() throws {
        guard isNewer else { return }
        throw HeraldError(.storage, """
            database schema v\(version) was written by a newer Herald (\(writtenBy ?? "version not recorded")); \
            this binary (Herald \(HeraldVersion.current)) knows up to v\(Self.latestVersion); upgrade Herald or \
            restore a backup taken before the upgrade (unknown migrations: \(unknown.joined(separator: ", ")))
            """)
    }

    /// Applies the pending migrations after the guard, and records this release as their writer.
    static func migrate(_ writer: any DatabaseWriter, migrator: DatabaseMigrator) throws {
        let schema = try writer.read { db in try read(db, migrator: migrator) }
        try schema.checkKnown()
        guard !schema.pending.isEmpty else { return }
        try migrator.migrate(writer)
        try writer.write { db in
            try db.execute(sql: "INSERT INTO herald_meta (key, value) VALUES (?, ?) "
                + "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                arguments: [writtenByKey, HeraldVersion.current])
        }
    }

    static let writtenByKey = "schema_written_by"

    /// Migration 0006: the table that names the Herald release which migrated the file last.
    static func createMeta(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE herald_meta (
                key TEXT PRIMARY KEY NOT NULL,
                value TEXT NOT NULL
            ) STRICT
            """)
    }
}

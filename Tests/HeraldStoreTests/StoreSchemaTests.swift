import Foundation
import GRDB
import HeraldCore
@testable import HeraldStore
import HeraldTesting
import Testing

/// The schema version guard: a database migrated by a newer Herald is refused, never
/// migrated or read by this binary; an older one lists what is pending.
@Suite("store schema guard")
struct StoreSchemaTests {
    @Test("a database with a migration this binary does not know is refused with both versions, and left unchanged")
    func newerDatabaseRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("herald.sqlite")
        _ = try SQLiteStore(path: path)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('0099_from_a_newer_herald')")
            try db.execute(sql: "UPDATE herald_meta SET value = '9.1.0' WHERE key = 'schema_written_by'")
        }
        try queue.close()
        let latest = StoreSchema.latestVersion
        let expected = "database schema v\(latest + 1) was written by a newer Herald (9.1.0); this binary (Herald "
            + "\(HeraldVersion.current)) knows up to v\(latest); upgrade Herald or restore a backup taken before the "
            + "upgrade (unknown migrations: 0099_from_a_newer_herald)"
        for open in [{ _ = try SQLiteStore(path: path) }, { _ = try SQLiteStore(readingOnly: path) }] {
            let error = try #require(throws: HeraldError.self) { try open() }
            #expect(error.message == "\(path): \(expected)")
        }
        let schema = try StoreSchema.read(databasePath: path)
        #expect(schema.isNewer && schema.unknown == ["0099_from_a_newer_herald"] && schema.pending.isEmpty)
        #expect(schema.writtenBy == "9.1.0", "the refusal must not record this binary as the writer")
    }

    @Test("an older database lists its pending migrations; opening it applies them and records this release")
    func olderDatabaseMigrates() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("herald.sqlite")
        let known = StoreSchema.knownMigrations
        let queue = try DatabaseQueue(path: path)
        try SQLiteStore.migrator.migrate(queue, upTo: known[2])
        try queue.close()

        let before = try StoreSchema.read(databasePath: path)
        #expect(before.version == 3 && before.applied == Array(known.prefix(3)))
        #expect(before.pending == Array(known.dropFirst(3)) && !before.isNewer && before.writtenBy == nil)
        try before.checkKnown()

        _ = try SQLiteStore(path: path)
        let after = try StoreSchema.read(databasePath: path)
        #expect(after.version == known.count && after.pending.isEmpty && after.applied == known)
        #expect(after.writtenBy == HeraldVersion.current)
    }
}

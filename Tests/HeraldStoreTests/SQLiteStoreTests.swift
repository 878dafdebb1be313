import Foundation
import HeraldCore
import HeraldStore
import HeraldTesting
import Testing

@Suite("SQLite store")
struct SQLiteStoreTests {
    @Test("conformance: realms, in memory and on disk", arguments: [false, true])
    func realms(onDisk: Bool) async throws {
        try await withStore(onDisk: onDisk) { try await StoreConformance.realmsRoundTrip($0) }
    }

    @Test("conformance: key transitions, in memory and on disk", arguments: [false, true])
    func keys(onDisk: Bool) async throws {
        try await withStore(onDisk: onDisk) { try await StoreConformance.keysTransition($0) }
    }

    @Test("conformance: agent lifecycle, in memory and on disk", arguments: [false, true])
    func lifecycle(onDisk: Bool) async throws {
        try await withStore(onDisk: onDisk) { try await StoreConformance.lifecycle($0) }
    }

    @Test("the on-disk database runs in WAL mode and survives reopening")
    func reopen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("herald.sqlite")
        try await SQLiteStore(path: path).save(RealmConfig(name: "acme"))
        #expect(try await SQLiteStore(path: path).realmNames() == ["acme"])
        #expect(try await SQLiteStore(path: path).journalMode() == "wal")
    }

    private func withStore(onDisk: Bool, _ body: (SQLiteStore) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await body(onDisk ? try SQLiteStore(path: directory.file("herald.sqlite")) : try SQLiteStore())
    }
}

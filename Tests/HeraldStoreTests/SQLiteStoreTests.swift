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

    @Test("conformance: key rules, in memory and on disk", arguments: [false, true])
    func keyRules(onDisk: Bool) async throws {
        try await withStore(onDisk: onDisk) { try await StoreConformance.keyRules($0) }
    }

    @Test("conformance: lifecycle rules, in memory and on disk", arguments: [false, true])
    func lifecycleRules(onDisk: Bool) async throws {
        try await withStore(onDisk: onDisk) { try await StoreConformance.lifecycleRules($0) }
    }

    @Test("conformance: federation peers, in memory and on disk", arguments: [false, true])
    func federationPeers(onDisk: Bool) async throws {
        try await withStore(onDisk: onDisk) { try await StoreConformance.federationPeers($0) }
    }

    @Test("conformance: the audit log, in memory and on disk", arguments: [false, true])
    func auditLog(onDisk: Bool) async throws {
        try await withStore(onDisk: onDisk) { try await StoreConformance.auditLog($0) }
    }

    @Test("conformance: health and sealed keys, in memory and on disk", arguments: [false, true])
    func health(onDisk: Bool) async throws {
        try await withStore(onDisk: onDisk) { try await StoreConformance.health($0) }
    }

    @Test("conformance: the whole suite through the backend, as the server opens it")
    func throughBackend() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var count = 0
        try await StoreConformance.all {
            count += 1
            return try await StoreBackends.standard.open(try StoreLocation(parsing: "sqlite:\(directory.file("s\(count).sqlite"))"))
        }
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

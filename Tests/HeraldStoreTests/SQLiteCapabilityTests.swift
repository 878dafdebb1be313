import Foundation
import HeraldCore
import HeraldStore
import HeraldTesting
import Testing

@Suite("SQLite store: consumed capabilities")
struct SQLiteCapabilityTests {
    @Test("conformance: a capability is consumed once, in memory and on disk", arguments: [false, true])
    func capabilities(onDisk: Bool) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = onDisk ? try SQLiteStore(path: directory.file("herald.sqlite")) : try SQLiteStore()
        try await StoreConformance.capabilities(store)
    }

    @Test("two stores on one database file consume a capability once between them")
    func twoProcessesShareOneFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("herald.sqlite")
        let first = try SQLiteStore(path: path), second = try SQLiteStore(path: path)
        let now = Date()
        async let one = first.consumeCapability(realm: "acme", jti: "cap_x", expiresAt: now + 60, consumedAt: now)
        async let two = second.consumeCapability(realm: "acme", jti: "cap_x", expiresAt: now + 60, consumedAt: now)
        let results = try await [one, two]
        #expect(results.filter { $0 }.count == 1)
    }
}

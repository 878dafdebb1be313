import Foundation
import HeraldCore
import HeraldPostgres
import HeraldStore
import HeraldTesting
import Logging
import PostgresNIO
import Testing

/// What several Herald processes on one database rely on: migrations applied once, one
/// audit chain per realm however many writers append.
@Suite("Postgres store concurrency", .serialized)
struct PostgresConcurrencyTests {
    @Test("stores opened at the same time on a fresh database apply each migration once")
    func migrationsOnce() async throws {
        try await PostgresFixture.withDatabase { url in
            let location = try StoreLocation(parsing: url)
            let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
                for _ in 0..<4 { group.addTask { try await PostgresStore.open(location) } }
                return try await group.reduce(into: [PostgresStore]()) { $0.append($1) }
            }
            defer { for store in stores { store.close() } }
            let applied = try await PostgresFixture.strings(url, "SELECT id FROM herald_migrations ORDER BY id")
            #expect(applied == ["0001_create_realms", "0002_create_signing_keys", "0003_create_audit_log",
                                "0004_create_lifecycle", "0005_create_federation", "0006_create_herald_meta",
                                "0007_create_shared_state", "0008_create_consumed_capabilities"])
            // Every store works on the one schema.
            try await stores[0].save(RealmConfig(name: "acme"))
            for store in stores { #expect(try await store.realmNames() == ["acme"]) }
            // Opening again finds nothing to do.
            let again = try await PostgresStore.open(location)
            again.close()
            #expect(try await PostgresFixture.strings(url, "SELECT id FROM herald_migrations").count == 8)
        }
    }

    @Test("two stores appending to one realm at once keep one gap-free chain that verifies")
    func oneChain() async throws {
        try await PostgresFixture.withDatabase { url in
            let location = try StoreLocation(parsing: url)
            let first = try await PostgresStore.open(location), second = try await PostgresStore.open(location)
            defer { first.close(); second.close() }
            let settings = AuditWriterSettings(maxPending: 64, maxBatch: 8)
            let logs = [first.makeAuditLog(settings: settings, logger: nil),
                        second.makeAuditLog(settings: settings, logger: nil)]
            let recorded = try await withThrowingTaskGroup(of: AuditEntry.self) { group in
                for index in 0..<60 {
                    let log = logs[index % 2]
                    group.addTask { try await log.record(AuditFixtures.event(index)) }
                }
                return try await group.reduce(into: [AuditEntry]()) { $0.append($1) }
            }
            #expect(Set(recorded.map(\.sequence)) == Set(1...60), "each append took its own place in the chain")
            let stored = try await logs[1].entries(AuditQuery(realm: "acme", limit: 1000))
            #expect(stored.map(\.sequence) == Array(1...60))
            #expect(Set(stored) == Set(recorded))
            var previous = AuditEntry.genesisHash
            for entry in stored {
                #expect(entry.previousHash == previous)
                previous = entry.hash
            }
            let signer = AuditFixtures.CheckpointSigner()
            _ = try await logs[0].checkpoint(realm: "acme", at: AuditFixtures.start + 100, sign: signer.sign)
            let report = try await AuditVerifier.verify(second, realm: "acme", verifyCheckpoint: signer.verify)
            #expect(report.isValid && report.entriesChecked == 61, "\(report)")
            for log in logs { await log.shutdown() }
        }
    }

    @Test("two stores registering agents of one realm at once never hand out one status index twice")
    func statusIndicesAcrossStores() async throws {
        try await PostgresFixture.withDatabase { url in
            let location = try StoreLocation(parsing: url)
            let stores = [try await PostgresStore.open(location), try await PostgresStore.open(location)]
            defer { for store in stores { store.close() } }
            try await stores[0].save(RealmConfig(name: "acme"))
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let indices = try await withThrowingTaskGroup(of: Int?.self) { group in
                for index in 0..<30 {
                    let store = stores[index % 2], agent = "agent-\(index)"
                    group.addTask {
                        try await store.modifyAgentLifecycle(realm: "acme", agentID: agent) { record, next in
                            record = AgentLifecycle(agentID: agent, registeredAt: now, statusIndex: next)
                        }?.statusIndex
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1 ?? -1) }
            }
            #expect(indices.sorted() == Array(0..<30))
        }
    }

    @Test("two stores promoting a key of one realm at once: one wins, never two active keys")
    func oneActiveKeyAcrossStores() async throws {
        try await PostgresFixture.withDatabase { url in
            let location = try StoreLocation(parsing: url)
            let stores = [try await PostgresStore.open(location), try await PostgresStore.open(location)]
            defer { for store in stores { store.close() } }
            try await stores[0].save(RealmConfig(name: "acme"))
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            for round in 0..<5 {
                let outcomes = await withTaskGroup(of: Bool.self) { group in
                    for (index, store) in stores.enumerated() {
                        group.addTask {
                            do {
                                try await store.modifyKeys(realm: "acme") { keys in
                                    // Each promotes its own new key unless one is active already.
                                    guard !keys.contains(where: { $0.state == .active }) else { throw RefusedPromotion() }
                                    keys.append(StoredKey(realm: "acme", kid: "k\(round)-\(index)", algorithm: .es256,
                                                          state: .active, createdAt: now + Double(round),
                                                          activatedAt: now, publicJWK: "{}", sealedPrivateKey: [1]))
                                }
                                return true
                            } catch { return false }
                        }
                    }
                    return await group.reduce(into: [Bool]()) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 }.count == 1, "round \(round): \(outcomes)")
                let keys = try await stores[1].keys(realm: "acme")
                #expect(keys.filter { $0.state == .active }.count == 1)
                // Retire it for the next round.
                try await stores[0].modifyKeys(realm: "acme") { keys in
                    for index in keys.indices where keys[index].state == .active { keys[index].state = .retired }
                }
            }
        }
    }
}

/// A promotion refused because another writer got there first.
private struct RefusedPromotion: Error {}

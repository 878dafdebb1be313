import Foundation
import HeraldCore
@testable import HeraldPostgres
@testable import HeraldTesting
import Synchronization
import Testing

/// The replica-shared state on PostgreSQL (issue 14): HeraldTesting's SharedStateConformance
/// with N stores (N connection pools and N listeners, as N replicas) on one database, and what
/// only a database-backed implementation can get wrong (a dropped listener, a long change, a
/// database that is gone).
@Suite("Postgres shared state", .serialized)
struct PostgresSharedStateTests {
    /// Opens `count` stores on one fresh database per call, and closes and drops them all at the end.
    final class Replicas: Sendable {
        private let opened = Mutex<(stores: [PostgresStore], databases: [String])>(([], []))

        func make(_ count: Int) async throws -> [SharedState] {
            let url = try await PostgresFixture.createDatabase()
            opened.withLock { $0.databases.append(url) }
            var stores: [PostgresStore] = []
            for _ in 0..<count {
                let store = try await PostgresStore.open(try StoreLocation(parsing: url))
                opened.withLock { $0.stores.append(store) }
                stores.append(store)
            }
            return stores.map { $0.shared }
        }

        func close() async {
            let (stores, databases) = opened.withLock { $0 }
            for store in stores { store.close() }
            for url in databases { try? await PostgresFixture.dropDatabase(url) }
        }
    }

    @Test("N stores on one database pass SharedStateConformance")
    func conformance() async throws {
        let replicas = Replicas()
        do {
            try await SharedStateConformance.all(
                makeReplayCaches: { try await replicas.make($0).map(\.replayCache) },
                makeLifecycleFeeds: { try await replicas.make($0).map(\.lifecycleChanges) },
                makeRealmFeeds: { try await replicas.make($0).map(\.realmChanges) },
                makeSequences: { try await replicas.make($0).map(\.federationSequence) })
        } catch {
            await replicas.close()
            throw error
        }
        await replicas.close()
    }

    @Test("a dropped listener connection delivers a reload of every realm, then changes again")
    func droppedListenerReloads() async throws {
        try await PostgresFixture.withDatabase { url in
            let location = try StoreLocation(parsing: url)
            let listening = try await PostgresStore.open(location), publishing = try await PostgresStore.open(location)
            defer { listening.close(); publishing.close() }
            try await listening.save(RealmConfig(name: "acme"))
            try await listening.save(RealmConfig(name: "beta"))
            let lifecycle = try await listening.shared.lifecycleChanges.subscribe()
            let realms = try await listening.shared.realmChanges.subscribe()
            let before = listening.listener.connectCount
            let cut = try await PostgresFixture.strings(url, """
                SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = '\(PostgresChangeListener.applicationName)'
                """)
            #expect(cut == ["true"], "exactly one listening connection per store")
            let reloads = await SharedStateConformance.collect(2, from: lifecycle, within: 20)
            #expect(reloads.map(\.kind) == [.reload, .reload])
            #expect(Set(reloads.map(\.realm)) == ["acme", "beta"])
            #expect(reloads.allSatisfy { $0.origin != listening.shared.replica }, "no replica may skip it as its own echo")
            #expect(Set(await SharedStateConformance.collect(2, from: realms, within: 20).map(\.realm)) == ["acme", "beta"])
            #expect(listening.listener.connectCount == before + 1)
            // Listening again: a change made elsewhere arrives.
            let kill = LifecycleChange(origin: ReplicaID("other"), realm: "acme",
                                       kind: .orgKill(org: "org", kill: KillRecord(reason: "test", by: "admin",
                                                                                   at: Date(timeIntervalSince1970: 1_800_000_000))))
            try await publishing.shared.lifecycleChanges.publish(kill)
            #expect(await SharedStateConformance.collect(1, from: lifecycle, within: 20) == [kill])
        }
    }

    @Test("a lifecycle change too long for a NOTIFY arrives as a reload of its realm")
    func longChangeReloads() async throws {
        try await PostgresFixture.withDatabase { url in
            let location = try StoreLocation(parsing: url)
            let first = try await PostgresStore.open(location), second = try await PostgresStore.open(location)
            defer { first.close(); second.close() }
            let changes = try await second.shared.lifecycleChanges.subscribe()
            let long = String(repeating: "x", count: 9_000)
            let origin = ReplicaID("replica-a")
            try await first.shared.lifecycleChanges.publish(LifecycleChange(
                origin: origin, realm: "acme",
                kind: .orgKill(org: "org", kill: KillRecord(reason: long, by: "admin", at: Date()))))
            #expect(await SharedStateConformance.collect(1, from: changes, within: 20)
                == [LifecycleChange(origin: origin, realm: "acme", kind: .reload)])
        }
    }

    @Test("with the store closed the replay cache, the sequence and the feeds throw (fail closed)")
    func failsClosed() async throws {
        try await PostgresFixture.withDatabase { url in
            let store = try await PostgresStore.open(try StoreLocation(parsing: url))
            let shared = store.shared
            store.close()
            let now = Date()
            await #expect(throws: (any Error).self) { try await shared.replayCache.record("acme|bot|1", expiresAt: now + 60, now: now) }
            await #expect(throws: (any Error).self) { try await shared.federationSequence.next(realm: "acme", atLeast: 1) }
            await #expect(throws: (any Error).self) {
                try await shared.lifecycleChanges.publish(LifecycleChange(origin: .process, realm: "acme", kind: .reload))
            }
            await #expect(throws: (any Error).self) {
                try await shared.realmChanges.publish(RealmChange(origin: .process, realm: "acme"))
            }
        }
    }

    @Test("expired replay rows are deleted by the next sweep")
    func expiredRowsReclaimed() async throws {
        try await PostgresFixture.withDatabase { url in
            let store = try await PostgresStore.open(try StoreLocation(parsing: url))
            defer { store.close() }
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            for index in 0..<5 { _ = try await store.shared.replayCache.record("id-\(index)", expiresAt: now + 10, now: now) }
            #expect(try await PostgresFixture.strings(url, "SELECT COUNT(*)::text FROM assertion_replay") == ["5"])
            #expect(try await store.shared.replayCache.record("later", expiresAt: now + 200, now: now + 100) == .fresh)
            #expect(try await PostgresFixture.strings(url, "SELECT id FROM assertion_replay") == ["later"])
        }
    }
}

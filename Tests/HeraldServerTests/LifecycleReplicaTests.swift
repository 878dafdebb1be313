import Foundation
import HeraldCore
@testable import HeraldServices
import HeraldStore
import HeraldTesting
import Logging
import Testing

/// Two replicas in one process: two lifecycle services (each its own book) on one store and
/// one change feed, as issue 14's replicas will share a database and a shared feed.
@Suite("Lifecycle changes across replicas")
struct LifecycleReplicaTests {
    struct Replicas {
        let store: SQLiteStore
        let feed: LocalChangeFeed<LifecycleChange>
        let a: LifecycleService
        let b: LifecycleService
    }

    static func replicas(feed: LocalChangeFeed<LifecycleChange> = LocalChangeFeed()) async throws -> Replicas {
        let store = try SQLiteStore()
        try await store.save(RealmConfig(name: "acme"))
        func service(_ name: String, changes: any LifecycleChangeFeed) -> LifecycleService {
            LifecycleService(store: store, book: LifecycleBook(), audit: nil, clock: SystemClock(),
                             logger: Self.quiet, changes: changes, replica: ReplicaID(name))
        }
        return Replicas(store: store, feed: feed, a: service("a", changes: feed), b: service("b", changes: feed))
    }

    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Waits until `condition` holds (the follower applies changes asynchronously).
    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test("a kill and a revocation made on replica A are refused by replica B's book")
    func changesReachTheOtherReplica() async throws {
        let replicas = try await Self.replicas()
        let follower = Task { try await LifecycleFollower(lifecycle: replicas.b).run() }
        defer { follower.cancel() }
        #expect(try await Self.eventually { replicas.feed.subscriberCount == 1 })

        try await replicas.a.setOrgKill("org", in: "acme", reason: "incident", by: "admin")
        #expect(replicas.a.book.standing(realm: "acme", agentID: "x", org: "org").isStopped, "at once on A")
        #expect(try await Self.eventually { replicas.b.book.standing(realm: "acme", agentID: "x", org: "org").isStopped },
                "and soon on B")

        try await replicas.a.revokeToken(jti: "jti-1", expiresAt: Date() + 600, realm: "acme", agent: nil, client: "c")
        #expect(try await Self.eventually { replicas.b.book.isRevoked(realm: "acme", jti: "jti-1") })

        try await replicas.a.setOrgKill("org", in: "acme", reason: nil, by: "admin")
        #expect(try await Self.eventually { !replicas.b.book.standing(realm: "acme", agentID: "x", org: "org").isStopped })
    }

    @Test("a replica ignores the echo of its own change and reloads the realm on .reload")
    func echoAndReload() async throws {
        let replicas = try await Self.replicas()
        try await replicas.a.setOrgKill("org", in: "acme", reason: "incident", by: "admin")
        let version = replicas.a.book.book(realm: "acme").version
        let echo = LifecycleChange(origin: ReplicaID("a"), realm: "acme", kind: .orgKill(org: "org", kill: nil))
        try await replicas.a.receive(echo)
        #expect(replicas.a.book.book(realm: "acme").version == version, "its own change is applied already")
        #expect(replicas.a.book.standing(realm: "acme", agentID: "x", org: "org").isStopped)

        // B never heard of the kill (no follower): a reload reads it from the store.
        #expect(!replicas.b.book.standing(realm: "acme", agentID: "x", org: "org").isStopped)
        try await replicas.b.receive(LifecycleChange(origin: ReplicaID("a"), realm: "acme", kind: .reload))
        #expect(replicas.b.book.standing(realm: "acme", agentID: "x", org: "org").isStopped)
    }

    @Test("a change that cannot reach the other replicas is answered 503, stored and applied here")
    func publishFailureFailsClosed() async throws {
        let store = try SQLiteStore()
        try await store.save(RealmConfig(name: "acme"))
        let service = LifecycleService(store: store, book: LifecycleBook(), audit: nil, clock: SystemClock(),
                                       logger: Self.quiet, changes: UnreachableSharedState<LifecycleChange>(), replica: ReplicaID("a"))
        do {
            try await service.setOrgKill("org", in: "acme", reason: "incident", by: "admin")
            Issue.record("a change that reached no other replica was answered as done")
        } catch let error as ServiceError {
            #expect(error.code == .temporarilyUnavailable)
        }
        #expect(service.book.standing(realm: "acme", agentID: "x", org: "org").isStopped)
        #expect(try await store.lifecycleState(realm: "acme").orgKills["org"] != nil)
    }
}

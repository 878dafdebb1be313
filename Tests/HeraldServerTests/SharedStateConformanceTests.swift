import Foundation
import HeraldCore
import HeraldJOSE
@testable import HeraldServices
import HeraldTesting
import Testing

/// The in-process implementations of the replica-shared state against the conformance checks
/// a shared implementation (issue 14) must pass too. One process is one replica: every
/// "replica" handle is the same instance.
@Suite("Replica-shared state, in process")
struct SharedStateConformanceTests {
    static func replicas<T>(_ count: Int, of make: () -> T) -> [T] {
        let one = make()
        return Array(repeating: one, count: count)
    }

    @Test("all checks, as a shared implementation runs them")
    func all() async throws {
        try await SharedStateConformance.all(
            makeReplayCaches: { Self.replicas($0) { ReplayCache() } },
            makeLifecycleFeeds: { Self.replicas($0) { LocalChangeFeed<LifecycleChange>() } },
            makeRealmFeeds: { Self.replicas($0) { LocalChangeFeed<RealmChange>() } },
            makeSequences: { Self.replicas($0) { LocalFederationSequence() } })
    }

    @Test("a replay is refused, on every replica")
    func replayRefused() async throws {
        try await SharedStateConformance.replayRefused { Self.replicas($0) { ReplayCache() } }
        try await SharedStateConformance.replayConcurrent { Self.replicas($0) { ReplayCache() } }
    }

    @Test("state that is not shared breaks what the checks assert: a jti fresh on each replica, a sequence twice")
    func unsharedStateBreaksTheGuarantees() async throws {
        // What issue 14 must not ship, stated as the very answers replayRefused and
        // sequenceConcurrent refuse: each replica with its own cache accepts one jti on each,
        // and each with its own counter hands out one sequence twice.
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let caches: [any AssertionReplayCache] = [ReplayCache(), ReplayCache()]
        #expect(try await caches[0].record("acme|bot|jti-1", expiresAt: now + 60, now: now) == .fresh)
        #expect(try await caches[1].record("acme|bot|jti-1", expiresAt: now + 60, now: now + 1) == .fresh,
                "a second, separate cache takes the replay for a first use")
        let counters: [any FederationSequence] = [LocalFederationSequence(), LocalFederationSequence()]
        let first = try await counters[0].next(realm: "acme", atLeast: 1_000)
        let second = try await counters[1].next(realm: "acme", atLeast: 1_000)
        #expect(first == second, "separate counters hand out one sequence twice")
    }

    @Test("a replay cache that cannot answer refuses the assertion with 503 (fail closed), not counted as a failure")
    func replayCacheDownFailsClosed() async throws {
        let clock = ManualClock()
        let authenticator = ClientAuthenticator(
            hasher: try MasterKey(bytes: Array(repeating: 7, count: 32)).secretHasher,
            replayCache: UnreachableSharedState<Never>(), clock: clock,
            limiter: AuthenticationLimiter(clock: clock, audit: nil, metrics: nil))
        do {
            try await authenticator.recordOnce("acme|bot|j", expiresAt: clock.now() + 60, now: clock.now(),
                                               replayed: .invalidClient(realm: "acme", reason: "replayed"))
            Issue.record("an assertion whose replay could not be checked was accepted")
        } catch {
            #expect(error.code == .temporarilyUnavailable)
        }
    }

    @Test("a full in-process cache refuses new ids and keeps live ones")
    func replayCacheFull() {
        let cache = ReplayCache(capacity: 2)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(cache.record("a", expiresAt: now + 60, now: now) == .fresh)
        #expect(cache.record("b", expiresAt: now + 60, now: now) == .fresh)
        #expect(cache.record("c", expiresAt: now + 60, now: now) == .full)
        #expect(cache.record("a", expiresAt: now + 60, now: now) == .replayed)
        // Once the first two expire, there is room again.
        #expect(cache.record("c", expiresAt: now + 200, now: now + 61) == .fresh)
    }

    @Test("a change reaches a second subscriber; a subscriber that stops is forgotten")
    func changeDeliveredToSecondSubscriber() async throws {
        try await SharedStateConformance.lifecycleFeed { Self.replicas($0) { LocalChangeFeed<LifecycleChange>() } }
        try await SharedStateConformance.realmFeed { Self.replicas($0) { LocalChangeFeed<RealmChange>() } }
        let feed = LocalChangeFeed<LifecycleChange>()
        let stream = feed.subscribe()
        #expect(feed.subscriberCount == 1)
        let reader = Task { for await _ in stream {} }
        reader.cancel()
        await reader.value
        #expect(feed.subscriberCount == 0, "a cancelled subscriber's buffer is released")
    }

    @Test("changes survive a JSON round trip, as a shared feed carries them")
    func changesRoundTrip() throws {
        let changes = (0..<4).map { SharedStateConformance.lifecycleSample(replica: 1, index: $0) }
        let decoded = try JSONDecoder().decode([LifecycleChange].self, from: JSONEncoder().encode(changes))
        #expect(decoded == changes)
        let realm = RealmChange(origin: ReplicaID("a"), realm: "acme")
        #expect(try JSONDecoder().decode(RealmChange.self, from: JSONEncoder().encode(realm)) == realm)
    }

    @Test("the federation sequence strictly increases under concurrency")
    func sequence() async throws {
        try await SharedStateConformance.sequenceIncreases { Self.replicas($0) { LocalFederationSequence() } }
        try await SharedStateConformance.sequenceConcurrent { Self.replicas($0) { LocalFederationSequence() } }
    }
}

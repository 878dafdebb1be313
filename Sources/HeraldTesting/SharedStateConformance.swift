import Foundation
import HeraldCore
import Testing

/// The behaviour every implementation of the replica-shared state (HeraldCore/Shared) must
/// have, in-process or shared by several replicas (issue 14).
///
/// Each check takes a `make(count)` that returns `count` handles onto ONE fresh shared state,
/// as `count` replicas would each hold one: the in-process implementations return the same
/// instance `count` times; a database-backed one opens `count` connections to one database.
/// A check fails (`#expect`) on any broken guarantee.
public enum SharedStateConformance {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    // MARK: - Replay cache

    /// An id is fresh once and a replay after that, on every replica; other ids (another
    /// client, another realm) are unaffected.
    public static func replayRefused(_ make: (Int) async throws -> [any AssertionReplayCache]) async throws {
        let caches = try await make(2)
        try #require(caches.count == 2)
        let id = "acme|bot|jti-1", expiry = now + 60
        #expect(try await caches[0].record(id, expiresAt: expiry, now: now) == .fresh)
        #expect(try await caches[1].record(id, expiresAt: expiry, now: now + 1) == .replayed,
                "an assertion accepted by one replica is a replay on the others")
        #expect(try await caches[0].record(id, expiresAt: expiry, now: now + 2) == .replayed)
        #expect(try await caches[1].record("acme|bot|jti-2", expiresAt: expiry, now: now) == .fresh)
        #expect(try await caches[1].record("beta|bot|jti-1", expiresAt: expiry, now: now) == .fresh)
        #expect(try await caches[0].record("acme|other|jti-1", expiresAt: expiry, now: now) == .fresh)
    }

    /// An id stays recorded until its expiry and may be recorded afresh after it.
    public static func replayExpiry(_ make: (Int) async throws -> [any AssertionReplayCache]) async throws {
        let caches = try await make(2)
        try #require(caches.count == 2)
        let id = "acme|bot|short"
        #expect(try await caches[0].record(id, expiresAt: now + 10, now: now) == .fresh)
        #expect(try await caches[1].record(id, expiresAt: now + 10, now: now + 9) == .replayed,
                "still live one second before its expiry")
        #expect(try await caches[1].record(id, expiresAt: now + 40, now: now + 11) == .fresh,
                "expired ids may be used again")
        #expect(try await caches[0].record(id, expiresAt: now + 40, now: now + 12) == .replayed)
    }

    /// Of many concurrent first uses of one id, spread over the replicas, exactly one is fresh.
    public static func replayConcurrent(_ make: (Int) async throws -> [any AssertionReplayCache]) async throws {
        let caches = try await make(3)
        try #require(caches.count == 3)
        let attempts = 60
        let fresh = try await withThrowingTaskGroup(of: ReplayOutcome.self) { group in
            for attempt in 0..<attempts {
                let cache = caches[attempt % caches.count]
                group.addTask { try await cache.record("acme|bot|raced", expiresAt: now + 60, now: now) }
            }
            var fresh = 0
            for try await outcome in group {
                #expect(outcome != .full)
                if outcome == .fresh { fresh += 1 }
            }
            return fresh
        }
        #expect(fresh == 1, "exactly one of \(attempts) concurrent uses of one jti may be accepted")
    }
}

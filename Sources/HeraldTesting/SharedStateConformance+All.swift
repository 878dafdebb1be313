import Foundation
import HeraldCore

extension SharedStateConformance {
    /// Every check, each on a fresh shared state from its `make`: what issue 14's shared
    /// implementations run, unchanged.
    public static func all(makeReplayCaches: (Int) async throws -> [any AssertionReplayCache],
                           makeLifecycleFeeds: (Int) async throws -> [any LifecycleChangeFeed],
                           makeRealmFeeds: (Int) async throws -> [any RealmChangeFeed],
                           makeSequences: (Int) async throws -> [any FederationSequence]) async throws {
        try await replayRefused(makeReplayCaches)
        try await replayExpiry(makeReplayCaches)
        try await replayConcurrent(makeReplayCaches)
        try await lifecycleFeed(makeLifecycleFeeds)
        try await realmFeed(makeRealmFeeds)
        try await sequenceIncreases(makeSequences)
        try await sequenceConcurrent(makeSequences)
    }
}

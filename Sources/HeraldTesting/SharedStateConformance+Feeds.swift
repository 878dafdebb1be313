import Foundation
import HeraldCore
import Testing

extension SharedStateConformance {
    /// One replica's view of a change feed, whichever protocol it implements.
    public struct FeedHandle<Change: Sendable & Hashable>: Sendable {
        public let publish: @Sendable (Change) async throws -> Void
        public let subscribe: @Sendable () async throws -> AsyncStream<Change>

        public init(publish: @escaping @Sendable (Change) async throws -> Void,
                    subscribe: @escaping @Sendable () async throws -> AsyncStream<Change>) {
            self.publish = publish
            self.subscribe = subscribe
        }
    }

    /// The lifecycle feed's checks (``feedDelivery(_:sample:)`` and the others below).
    public static func lifecycleFeed(_ make: (Int) async throws -> [any LifecycleChangeFeed]) async throws {
        let handles: (Int) async throws -> [FeedHandle<LifecycleChange>] = { count in
            try await make(count).map { feed in FeedHandle(publish: { try await feed.publish($0) },
                                                          subscribe: { try await feed.subscribe() }) }
        }
        try await feedDelivery(handles, sample: lifecycleSample)
        try await feedIndependentSubscribers(handles, sample: lifecycleSample)
        try await feedConcurrentPublishers(handles, sample: lifecycleSample)
    }

    /// The realm feed's checks.
    public static func realmFeed(_ make: (Int) async throws -> [any RealmChangeFeed]) async throws {
        let handles: (Int) async throws -> [FeedHandle<RealmChange>] = { count in
            try await make(count).map { feed in FeedHandle(publish: { try await feed.publish($0) },
                                                          subscribe: { try await feed.subscribe() }) }
        }
        let sample: @Sendable (Int, Int) -> RealmChange = { replica, index in
            RealmChange(origin: ReplicaID("replica-\(replica)"), realm: "realm-\(index)")
        }
        try await feedDelivery(handles, sample: sample)
        try await feedIndependentSubscribers(handles, sample: sample)
        try await feedConcurrentPublishers(handles, sample: sample)
    }

    /// A lifecycle change of every kind, numbered by `index`, as replica `replica` publishes it.
    @Sendable public static func lifecycleSample(replica: Int, index: Int) -> LifecycleChange {
        let origin = ReplicaID("replica-\(replica)"), realm = index % 2 == 0 ? "acme" : "beta"
        let kind: LifecycleChange.Kind = switch index % 4 {
        case 0: .agent(AgentLifecycle(agentID: "agent-\(index)", stage: .active, org: "org", registeredAt: now,
                                      statusIndex: index))
        case 1: .orgKill(org: "org-\(index)", kill: KillRecord(reason: "test \(index)", by: "admin", at: now))
        case 2: .tokenRevoked(jti: "jti-\(index)", expiresAt: now + Double(index))
        default: .reload
        }
        return LifecycleChange(origin: origin, realm: realm, kind: kind)
    }

    /// Changes published on one replica reach a subscriber on another and a second
    /// subscriber on the publisher's own, each a copy of every change, in publish order.
    public static func feedDelivery<Change>(_ make: (Int) async throws -> [FeedHandle<Change>],
                                            sample: @Sendable (Int, Int) -> Change) async throws {
        let feeds = try await make(2)
        try #require(feeds.count == 2)
        let remote = try await feeds[1].subscribe()
        let local = try await feeds[0].subscribe()
        let published = (0..<8).map { sample(0, $0) }
        for change in published { try await feeds[0].publish(change) }
        #expect(await collect(published.count, from: remote) == published, "another replica gets every change in order")
        #expect(await collect(published.count, from: local) == published, "a second subscriber gets its own copy")
    }

    /// A subscriber that stopped, or one that never reads, keeps no change from the others.
    public static func feedIndependentSubscribers<Change>(_ make: (Int) async throws -> [FeedHandle<Change>],
                                                          sample: @Sendable (Int, Int) -> Change) async throws {
        let feeds = try await make(2)
        try #require(feeds.count == 2)
        let reader = try await feeds[1].subscribe()
        let idle = try await feeds[1].subscribe()  // never read from
        do {
            let stopping = try await feeds[0].subscribe()
            try await feeds[0].publish(sample(0, 0))
            #expect(await collect(1, from: stopping) == [sample(0, 0)])
        }  // `stopping` is gone: its subscription ends
        let published = (1..<200).map { sample(0, $0) }
        for change in published { try await feeds[0].publish(change) }
        #expect(await collect(published.count + 1, from: reader) == [sample(0, 0)] + published)
        _ = idle
    }

    /// Concurrent publishers on several replicas: a subscriber gets every change once, and
    /// each publisher's changes in the order it published them.
    public static func feedConcurrentPublishers<Change>(_ make: (Int) async throws -> [FeedHandle<Change>],
                                                        sample: @escaping @Sendable (Int, Int) -> Change) async throws {
        let feeds = try await make(3)
        try #require(feeds.count == 3)
        let subscriber = try await feeds[2].subscribe()
        let perReplica = 40
        try await withThrowingTaskGroup(of: Void.self) { group in
            for replica in 0..<2 {
                let feed = feeds[replica]
                group.addTask { for index in 0..<perReplica { try await feed.publish(sample(replica, index)) } }
            }
            try await group.waitForAll()
        }
        let received = await collect(2 * perReplica, from: subscriber)
        #expect(received.count == 2 * perReplica)
        for replica in 0..<2 {
            let expected = (0..<perReplica).map { sample(replica, $0) }
            let mine = received.filter { expected.contains($0) }
            #expect(mine == expected, "replica \(replica)'s changes arrive once each, in its order")
        }
    }
}

import HeraldCore
import Synchronization

/// A shared change feed subscribed before the realms are loaded at start, so no change
/// another replica commits between this replica's load and its followers' start is lost:
/// the first ``subscribe()`` (the follower's) gets that early subscription, which has kept
/// every change since; later ones subscribe afresh. Publishing goes straight to the feed.
final class EarlySubscription<Change: Sendable>: Sendable {
    private let publishing: @Sendable (Change) async throws -> Void
    private let subscribing: @Sendable () async throws -> AsyncStream<Change>
    private let early: Mutex<AsyncStream<Change>?>

    private init(publishing: @escaping @Sendable (Change) async throws -> Void,
                 subscribing: @escaping @Sendable () async throws -> AsyncStream<Change>, early: AsyncStream<Change>) {
        self.publishing = publishing
        self.subscribing = subscribing
        self.early = Mutex(early)
    }

    func publish(_ change: Change) async throws { try await publishing(change) }

    func subscribe() async throws -> AsyncStream<Change> {
        if let stream = early.withLock({ stream in defer { stream = nil }; return stream }) { return stream }
        return try await subscribing()
    }
}

extension EarlySubscription: LifecycleChangeFeed where Change == LifecycleChange {
    /// `feed`, subscribed now.
    static func subscribed(_ feed: any LifecycleChangeFeed) async throws -> EarlySubscription {
        EarlySubscription(publishing: { try await feed.publish($0) }, subscribing: { try await feed.subscribe() },
                          early: try await feed.subscribe())
    }
}

extension EarlySubscription: RealmChangeFeed where Change == RealmChange {
    /// `feed`, subscribed now.
    static func subscribed(_ feed: any RealmChangeFeed) async throws -> EarlySubscription {
        EarlySubscription(publishing: { try await feed.publish($0) }, subscribing: { try await feed.subscribe() },
                          early: try await feed.subscribe())
    }
}

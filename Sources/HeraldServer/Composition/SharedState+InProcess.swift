import HeraldCore
import HeraldServices

extension SharedState {
    /// The replica-shared state of the store, or the in-process implementations for a store
    /// only this process opens (SQLite): with one replica, "every replica" is this one.
    static func of(_ store: any Store) -> SharedState {
        store.sharedState() ?? SharedState(
            replica: .process, replayCache: ReplayCache(), lifecycleChanges: LocalChangeFeed<LifecycleChange>(),
            realmChanges: LocalChangeFeed<RealmChange>(), federationSequence: LocalFederationSequence())
    }

    /// This state with its change feeds subscribed now (``EarlySubscription``): called before
    /// the realms are loaded, so the followers see every change committed after the load began.
    func subscribedEarly() async throws -> SharedState {
        SharedState(replica: replica, replayCache: replayCache,
                    lifecycleChanges: try await EarlySubscription.subscribed(lifecycleChanges),
                    realmChanges: try await EarlySubscription.subscribed(realmChanges),
                    federationSequence: federationSequence)
    }
}

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
}

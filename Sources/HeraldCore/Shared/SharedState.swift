/// The replica-shared state of one store, as the composition root wires it into the services:
/// the assertion replay cache, the lifecycle and realm change feeds and the federation bundle
/// sequence, and the id of this replica among those sharing the store.
///
/// A store several processes share (PostgreSQL) hands out implementations in its database
/// (``Store/sharedState()``), so a kill, a realm edit, a key change or a used `jti` on one
/// replica holds on all of them; a store only one process opens (SQLite) hands out none, and
/// the composition root uses the in-process implementations.
public struct SharedState: Sendable {
    /// This process among the replicas (changes it publishes carry it as their origin).
    public let replica: ReplicaID
    public let replayCache: any AssertionReplayCache
    public let lifecycleChanges: any LifecycleChangeFeed
    public let realmChanges: any RealmChangeFeed
    public let federationSequence: any FederationSequence

    public init(replica: ReplicaID, replayCache: any AssertionReplayCache, lifecycleChanges: any LifecycleChangeFeed,
                realmChanges: any RealmChangeFeed, federationSequence: any FederationSequence) {
        self.replica = replica
        self.replayCache = replayCache
        self.lifecycleChanges = lifecycleChanges
        self.realmChanges = realmChanges
        self.federationSequence = federationSequence
    }
}

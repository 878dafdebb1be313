/// Carries committed lifecycle changes (``LifecycleChange``) from the replica that made them to
/// every replica's lifecycle book, so a kill, a suspension or a revoked token made through one
/// replica is refused by all of them.
///
/// The lifecycle service publishes each change after the store committed it and after it
/// applied it to its own book (so its next request sees it without waiting for the feed);
/// the book's owner on each replica subscribes and applies the changes of other replicas.
///
/// Requirements every implementation meets (checked by HeraldTesting's `SharedStateConformance`):
/// - every change published after a `subscribe()` reaches that subscriber, each subscriber
///   gets its own copy, and one subscriber's slowness never drops another's changes;
/// - changes of one realm reach a subscriber in the order they were published.
///
/// What a replica-shared implementation (issue 14) must guarantee on top:
/// - **At least once**: a change committed is never lost for a live subscriber, including
///   across a reconnect; when it cannot be sure (a dropped connection, an overflowing
///   buffer), it delivers ``LifecycleChange/Kind/reload`` for every realm affected (or every
///   realm) so the subscriber reloads from the store. Applying a change twice is harmless.
/// - **Commit order per realm**: changes to one realm arrive in the order their store
///   transactions committed (PostgreSQL: `NOTIFY` inside the transaction is delivered at
///   commit, in commit order), so the last change delivered is the last one stored.
/// - **Fail closed**: `publish` throws when it cannot hand the change on; the service then
///   answers the change with 503 (it is stored and audited here; retrying it is safe), so no
///   caller believes a kill reached every replica when it did not.
/// - Note: a replica ignores the echo of its own changes (it applied them at commit). Two
///   replicas changing one agent at the same moment can then end with different records
///   until the next change of that agent; an implementation that needs more gives each
///   change its commit sequence and a reload on disagreement.
public protocol LifecycleChangeFeed: Sendable {
    /// Hands `change` to every subscriber (of every replica). Throws when it cannot.
    func publish(_ change: LifecycleChange) async throws

    /// The changes published from now on, until the stream's consumer stops iterating.
    func subscribe() async throws -> AsyncStream<LifecycleChange>
}

/// Carries realm changes (``RealmChange``) from the replica that stored them to every
/// replica, so a realm edited through one replica's admin API is served in its new version
/// by all of them.
///
/// Published after the store committed the new realm and the publishing replica installed
/// it; each replica subscribes and reloads the changed realm (the store holds the version).
///
/// Requirements every implementation meets (checked by HeraldTesting's `SharedStateConformance`):
/// - every change published after a `subscribe()` reaches that subscriber, each subscriber
///   gets its own copy;
/// - changes reach a subscriber in the order they were published.
///
/// What a replica-shared implementation (issue 14) must guarantee on top:
/// - **At least once**: a committed change is never lost for a live subscriber; after a
///   reconnect (changes may have been missed) it delivers a change for every realm, so each
///   is reloaded. A reload of an unchanged realm is harmless.
/// - **Commit order**: changes arrive in the order the realm saves committed, so a replica
///   that reloads on each one ends on the last stored version.
/// - **Fail closed**: `publish` throws when it cannot hand the change on; the admin request
///   then fails (503: the realm is stored and served here; repeating the edit is safe).
public protocol RealmChangeFeed: Sendable {
    /// Hands `change` to every subscriber (of every replica). Throws when it cannot.
    func publish(_ change: RealmChange) async throws

    /// The changes published from now on, until the stream's consumer stops iterating.
    func subscribe() async throws -> AsyncStream<RealmChange>
}

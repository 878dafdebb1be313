/// Numbers a realm's signed trust bundles (wire-formats §7, `sequence`): peers refuse a
/// bundle whose sequence is not greater than the last one they accepted, as a replay.
///
/// Requirements every implementation meets (checked by HeraldTesting's `SharedStateConformance`):
/// - `next` answers at least `atLeast` (the caller passes the time in milliseconds since
///   the epoch, so sequences also grow across restarts) and strictly more than every value
///   it answered before for the realm, also under concurrent calls (no two calls get one
///   value);
/// - each realm has its own order (one counter shared by every realm would also do).
///
/// A replica-shared implementation (issue 14: one row per realm, updated to
/// `greatest(last + 1, atLeast)` and returned in one statement) must be strictly increasing
/// across all replicas, since a peer may fetch one bundle from replica A and the next from
/// replica B. It fails closed: when it cannot allocate, it throws and no bundle is signed.
public protocol FederationSequence: Sendable {
    /// The next sequence of `realm`'s bundles: greater than any before and at least `atLeast`.
    func next(realm: String, atLeast: Int64) async throws -> Int64
}

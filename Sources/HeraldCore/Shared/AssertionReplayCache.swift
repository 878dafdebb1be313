import Foundation

/// What ``AssertionReplayCache/record(_:expiresAt:now:)`` found.
public enum ReplayOutcome: Sendable, Hashable {
    /// Not seen before (or seen and expired): recorded now, so the assertion may be accepted.
    case fresh
    /// Recorded before and still live: the assertion is a replay and must be refused.
    case replayed
    /// The cache cannot take more entries: refuse (a full cache must never accept a replay).
    case full
}

/// The once-only memory of client assertion ids (`jti`), RFC 7523 §3: "The JWT MAY contain a
/// jti claim … the authorization server … MUST ensure that JWTs are not replayed", checked by
/// the token endpoint's client authentication for `private_key_jwt` and IdP-issued assertions.
///
/// Requirements every implementation meets (checked by HeraldTesting's `SharedStateConformance`):
/// - `record` is atomic per id: of any number of concurrent calls with one live id (on one
///   replica or several), exactly one answers ``ReplayOutcome/fresh``;
/// - an id stays recorded until its `expiresAt` (the assertion's `exp` plus leeway) has
///   passed at `now`; after that it may be forgotten, and recording it again is fresh;
/// - ids are opaque strings compared exactly (the caller puts realm and client in them);
/// - bounded: beyond its capacity it answers ``ReplayOutcome/full`` instead of forgetting
///   live ids early.
///
/// A replica-shared implementation (issue 14: one table in the shared database, an insert
/// that conflicts on the id) must give the same answers across every replica, so an
/// assertion accepted by one replica is a replay on all others. It FAILS CLOSED: when it
/// cannot tell (the database is unreachable, a timeout), it throws, and the caller refuses
/// the assertion (503, retry) rather than accept one it could not record.
public protocol AssertionReplayCache: Sendable {
    /// Records `id` until `expiresAt`, or answers that it is already recorded (or that there
    /// is no room). Throws when the answer is unknown; the caller must then refuse.
    func record(_ id: String, expiresAt: Date, now: Date) async throws -> ReplayOutcome
}

import Foundation

/// Consumed capability tokens (docs/action-authority.md): a capability's `jti` is taken once,
/// by one consumer, even when several replicas share the store.
public protocol CapabilityRepository: Sendable {
    /// Records capability `jti` of `realm` as consumed at `consumedAt`, atomically: true when
    /// this call consumed it, false when it had been consumed before (by this process or any
    /// other on the same store). The row is kept at least until `expiresAt` (after which the
    /// token is refused as expired anyway); older rows may be dropped on the way.
    func consumeCapability(realm: String, jti: String, expiresAt: Date, consumedAt: Date) async throws -> Bool
}

/// How long a consumed capability's row outlives the token, so that a replica whose clock
/// runs behind still finds it (the verifiers tolerate 30 s of `nbf` skew; this is more).
public enum CapabilityRetention {
    public static let graceSeconds: TimeInterval = 300
}

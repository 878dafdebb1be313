import Synchronization

/// Remembers the nonces of accepted Agent-Signature requests for as long as their `ts`
/// keeps them acceptable, so each signed request is accepted once (wire-formats §5).
///
/// Bounded and fail-closed: at ``capacity`` live entries a new nonce is refused
/// (``Outcome/full``) rather than making room by forgetting one that has not expired.
/// Forgetting would turn the bound into a replay window on demand: an agent (or anyone who
/// can get requests accepted) sends `capacity` requests, the cache drops the victim's
/// nonce, and a captured request of the victim's passes again. Refusing costs availability
/// while the cache is full — the relying party answers "try again" and sees the load in
/// its logs — never integrity.
///
/// Entries live until `ts + window`; expired ones are dropped by time bucket (one per
/// second), so a sweep touches only what expires and recording stays O(1) amortized.
/// In memory, per process: behind a load balancer, nonces are unique per instance only
/// (pin agents to an instance, or share a cache that implements the same rule).
/// Safe to share between tasks and verifiers.
public final class NonceReplayCache: Sendable {
    /// What ``record(_:expiresAt:now:)`` found.
    public enum Outcome: Sendable, Hashable {
        /// New: recorded until its expiry.
        case fresh
        /// Already recorded and not yet expired: a replay.
        case replayed
        /// The cache holds `capacity` live entries; nothing was recorded.
        case full
    }

    private struct State {
        var expiries: [String: Int64] = [:]
        /// Expiry second → the entries expiring then.
        var buckets: [Int64: [String]] = [:]
        /// Every bucket before this second has been dropped.
        var sweptBefore: Int64 = 0
    }

    private let state = Mutex(State())
    /// The most live entries held.
    public let capacity: Int

    /// A cache of at most `capacity` live nonces. At 1 000 000 (the default) and a 300 s
    /// window (entries live ≤ 600 s: `ts` may be up to 300 s ahead), that is a sustained
    /// ~1 600 accepted requests per second, about 150 MB at most.
    public init(capacity: Int = 1_000_000) {
        precondition(capacity > 0, "a replay cache needs room for at least one nonce")
        self.capacity = capacity
    }

    /// Records `key` (the agent's key and the nonce, so one agent's nonces cannot block
    /// another's) until `expiresAt` (unix seconds, inclusive), at `now` (unix seconds).
    public func record(_ key: String, expiresAt: Int64, now: Int64) -> Outcome {
        state.withLock { state in
            Self.sweep(&state, now: now)
            if state.expiries[key] != nil { return .replayed }  // the sweep left only live entries
            guard state.expiries.count < capacity else { return .full }
            guard expiresAt >= now else { return .fresh }  // already outside the window: nothing to remember
            state.expiries[key] = expiresAt
            state.buckets[expiresAt, default: []].append(key)
            return .fresh
        }
    }

    /// The live entries now held.
    public func count(now: Int64) -> Int {
        state.withLock { state in
            Self.sweep(&state, now: now)
            return state.expiries.count
        }
    }

    /// Drops every entry whose expiry second is before `now`.
    private static func sweep(_ state: inout State, now: Int64) {
        guard now > state.sweptBefore else { return }
        if now - state.sweptBefore <= Int64(state.buckets.count) {
            for second in state.sweptBefore..<now {
                guard let keys = state.buckets.removeValue(forKey: second) else { continue }
                for key in keys { state.expiries.removeValue(forKey: key) }
            }
        } else {
            // Idle for longer than there are buckets: visit the buckets, not the seconds.
            for second in state.buckets.keys.filter({ $0 < now }) {
                for key in state.buckets.removeValue(forKey: second) ?? [] { state.expiries.removeValue(forKey: key) }
            }
        }
        state.sweptBefore = now
    }
}

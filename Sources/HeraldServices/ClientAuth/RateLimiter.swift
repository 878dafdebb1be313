import Foundation
import HeraldCore
import Synchronization

/// A token bucket per key (outcome reports per reporting caller): each key may spend
/// `rate.count` requests at once and regains them at `rate.count / rate.periodSeconds` per
/// second. In memory and bounded: a bucket that has filled up again is the same as none.
public final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private struct State {
        var buckets: [LockoutTable.Key: Bucket] = [:]
    }

    private let state = Mutex(State())
    public let capacity: Int

    public init(capacity: Int = 50_000) { self.capacity = max(capacity, 4) }

    /// Spends one request of `key`'s bucket; nil when allowed, else the seconds until one
    /// request is available again.
    public func take(_ key: LockoutTable.Key, rate: BruteForceSettings.Rate, now: Date) -> Int? {
        let size = Double(rate.count), perSecond = Double(rate.count) / Double(rate.periodSeconds)
        return state.withLock { state in
            var bucket = state.buckets[key] ?? Bucket(tokens: size, updated: now)
            bucket.tokens = min(size, bucket.tokens + max(0, now.timeIntervalSince(bucket.updated)) * perSecond)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                state.buckets[key] = bucket
                return max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up)))
            }
            bucket.tokens -= 1
            if state.buckets[key] == nil, state.buckets.count >= capacity {
                // Full buckets carry no information; drop them. If every bucket is in use,
                // the oldest go (their callers start again with a full bucket).
                state.buckets = state.buckets.filter { entry in
                    entry.value.tokens + now.timeIntervalSince(entry.value.updated) * perSecond < size
                }
                if state.buckets.count >= capacity {
                    let oldest = state.buckets.sorted { $0.value.updated < $1.value.updated }
                        .prefix(state.buckets.count - capacity * 3 / 4)
                    for (old, _) in oldest { state.buckets.removeValue(forKey: old) }
                }
            }
            state.buckets[key] = bucket
            return nil
        }
    }
}

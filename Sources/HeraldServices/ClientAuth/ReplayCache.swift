import Foundation
import HeraldCore
import Synchronization

/// Remembers client-assertion `jti`s until their `exp`, so each is accepted once
/// (RFC 7523 §3). In memory, per process: assertions live at most five minutes, so a restart
/// reopens at most that window. The in-process ``AssertionReplayCache``: with several
/// replicas, a shared one takes its place.
public final class ReplayCache: AssertionReplayCache {
    private struct State {
        var expiries: [String: Date] = [:]
        var nextSweep = Date.distantPast
    }

    private let state = Mutex(State())
    /// Beyond this many live entries new assertions are refused rather than risk a replay.
    package let capacity: Int

    public init(capacity: Int = 2_000_000) { self.capacity = capacity }

    public typealias Outcome = ReplayOutcome

    /// Records `id` until `expiresAt`; `.replayed` when it was already recorded and live.
    /// Never throws: a lock and a dictionary cannot fail to answer.
    public func record(_ id: String, expiresAt: Date, now: Date) -> Outcome {
        state.withLock { state in
            if now >= state.nextSweep || state.expiries.count >= capacity {
                state.expiries = state.expiries.filter { $0.value > now }
                state.nextSweep = now + 30
            }
            if let expiry = state.expiries[id], expiry > now { return .replayed }
            guard state.expiries.count < capacity else { return .full }
            state.expiries[id] = expiresAt
            return .fresh
        }
    }
}

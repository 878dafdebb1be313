import Foundation
import HeraldCore
import Synchronization

/// Failed client authentications of one kind of key (client ids, or source addresses) and
/// the lockouts they cause: Keycloak's brute-force detection, in memory and bounded.
///
/// A key with no failures on record has no entry, so the common case — a client that
/// authenticates correctly — costs one atomic load when the table is empty and one
/// dictionary lookup under a lock otherwise, and allocates nothing.
public final class LockoutTable: Sendable {
    /// A realm and what is counted in it.
    public struct Key: Sendable, Hashable {
        public let realm: String
        public let subject: Subject

        public init(realm: String, subject: Subject) {
            self.realm = realm
            self.subject = subject
        }
    }

    public enum Subject: Sendable, Hashable {
        case client(String)
        case address(ClientAddress)
    }

    /// How often, at most, refusals of one locked key are reported (audit log).
    public static let reportInterval: TimeInterval = 60

    private struct Entry {
        var failures: Int
        var lastFailure: Date
        /// Forget the run after this long without a failure (the policy's failure_reset).
        package var resetAfter: TimeInterval
        /// The end of the current or last lock; nil when none began since the run started.
        package var lockedUntil: Date?
        /// Attempts refused during the lock and not reported yet.
        package var refusedUnreported = 0
        package var lastReport = Date.distantPast

        package func isLocked(at now: Date) -> Bool { lockedUntil.map { $0 > now } ?? false }
        package func isForgettable(at now: Date) -> Bool { !isLocked(at: now) && now.timeIntervalSince(lastFailure) > resetAfter }
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        /// Keys whose lock may still be in force, so counting locks needs no full scan.
        var locked: Set<Key> = []
        package var nextSweep = Date.distantPast
    }

    /// What is known about a key before its credentials are checked.
    public enum Admission: Sendable, Equatable {
        /// No failures on record.
        case clear
        /// Failures on record, not locked; `ended` when a lock ended since the last attempt
        /// (with the attempts refused during it that were not reported yet).
        case counting(ended: Int?)
        /// Refused without checking; `report` is the count of refusals to report now, if due.
        case locked(until: Date, report: Int?)
    }

    /// What a failure led to.
    public struct Failure: Sendable, Equatable {
        /// Failures in the current run, this one included.
        public let failures: Int
        /// Set when this failure started a lock: until when.
        public let lockedUntil: Date?

        public init(failures: Int, lockedUntil: Date?) {
            self.failures = failures
            self.lockedUntil = lockedUntil
        }
    }

    private let state = Mutex(State())
    /// Entries in the table, read without the lock for the empty-table fast path.
    private let size = Atomic<Int>(0)
    /// Most entries kept; beyond, expired runs go first, then the oldest unlocked ones.
    public let capacity: Int

    public init(capacity: Int = 50_000) { self.capacity = max(capacity, 4) }

    public var count: Int { size.load(ordering: .relaxed) }

    /// The key's standing now; counts the attempt as refused when it is locked.
    public func admit(_ key: Key, now: Date) -> Admission {
        guard size.load(ordering: .relaxed) > 0 else { return .clear }
        return state.withLock { state in
            guard var entry = state.entries[key] else { return .clear }
            if let until = entry.lockedUntil {
                if until > now {
                    entry.refusedUnreported += 1
                    var report: Int?
                    if now.timeIntervalSince(entry.lastReport) >= Self.reportInterval {
                        report = entry.refusedUnreported
                        entry.refusedUnreported = 0
                        entry.lastReport = now
                    }
                    state.entries[key] = entry
                    return .locked(until: until, report: report)
                }
                // The lock has ended: say so once, then count on (the run is kept, so the
                // next failure locks again, for longer).
                let refused = entry.refusedUnreported
                entry.lockedUntil = nil
                entry.refusedUnreported = 0
                state.entries[key] = entry
                state.locked.remove(key)
                return .counting(ended: refused)
            }
            return .counting(ended: nil)
        }
    }

    /// Records a failed authentication under `policy`.
    public func recordFailure(_ key: Key, policy: BruteForceSettings.Lockout, now: Date) -> Failure {
        state.withLock { state in
            if now >= state.nextSweep {
                sweep(&state, now: now)
                state.nextSweep = now + 60
            }
            var entry: Entry
            if let existing = state.entries[key] {
                entry = existing
                // Keycloak's failure reset: a run ends after failure_reset without a failure.
                if now.timeIntervalSince(entry.lastFailure) > entry.resetAfter, !entry.isLocked(at: now) {
                    entry = Entry(failures: 0, lastFailure: now, resetAfter: 0)
                }
            } else {
                if state.entries.count >= capacity { evict(&state, now: now) }
                entry = Entry(failures: 0, lastFailure: now, resetAfter: 0)
            }
            entry.failures += 1
            entry.lastFailure = now
            entry.resetAfter = TimeInterval(policy.failureResetSeconds)
            var started: Date?
            let wait = policy.waitSeconds(afterFailures: entry.failures)
            if wait > 0 {
                let until = now + TimeInterval(wait)
                // A failure that was in flight when the lock began extends it, but does not
                // start another one.
                if !entry.isLocked(at: now) {
                    started = until
                    entry.lastReport = now
                    entry.refusedUnreported = 0
                }
                entry.lockedUntil = max(until, entry.lockedUntil ?? until)
                state.locked.insert(key)
            }
            state.entries[key] = entry
            size.store(state.entries.count, ordering: .relaxed)
            return Failure(failures: entry.failures, lockedUntil: started)
        }
    }

    /// A successful authentication: the key's run is over (Keycloak resets the count).
    public func recordSuccess(_ key: Key) {
        state.withLock { state in
            guard state.entries.removeValue(forKey: key) != nil else { return }
            state.locked.remove(key)
            size.store(state.entries.count, ordering: .relaxed)
        }
    }

    /// Keys locked now, per realm.
    public func lockedCounts(now: Date) -> [String: Int] {
        state.withLock { state in
            var counts: [String: Int] = [:]
            for key in state.locked {
                guard let entry = state.entries[key], entry.isLocked(at: now) else { continue }
                counts[key.realm, default: 0] += 1
            }
            return counts
        }
    }

    /// Drops the runs that are over.
    private func sweep(_ state: inout State, now: Date) {
        state.entries = state.entries.filter { !$0.value.isForgettable(at: now) }
        state.locked = state.locked.filter { state.entries[$0] != nil }
        size.store(state.entries.count, ordering: .relaxed)
    }

    /// Makes room: expired runs first; if that is not enough, down to three quarters of the
    /// capacity, unlocked entries with the oldest last failure first, locked ones last. So a
    /// flood of made-up client ids costs bounded memory and evicts each other, while the
    /// locks in force are the last to go.
    private func evict(_ state: inout State, now: Date) {
        sweep(&state, now: now)
        guard state.entries.count >= capacity else { return }
        let excess = state.entries.count - capacity * 3 / 4
        let victims = state.entries.sorted { first, second in
            let firstLocked = first.value.isLocked(at: now), secondLocked = second.value.isLocked(at: now)
            if firstLocked != secondLocked { return !firstLocked }
            return first.value.lastFailure < second.value.lastFailure
        }.prefix(excess)
        for (key, _) in victims {
            state.entries.removeValue(forKey: key)
            state.locked.remove(key)
        }
        size.store(state.entries.count, ordering: .relaxed)
    }
}

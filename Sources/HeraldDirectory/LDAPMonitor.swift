import Foundation
import Synchronization

/// Watches a directory's operations: whether the server answered last time (readiness
/// reuses it instead of opening connections of its own) and, for an observer (the server's
/// metrics), each operation's latency and each cache lookup's outcome.
public final class LDAPMonitor: Sendable {
    /// Receives every operation and cache lookup; must be cheap (it runs on the lookup path).
    public protocol Observer: Sendable {
        /// One LDAP operation (search, bind, ping) took `duration`; `failed` unless it succeeded
        /// or the server refused a password (an answer, not an error).
        func operation(duration: Duration, failed: Bool)
        /// One agent lookup was answered from the cache or copy (`hit`), or went to the server.
        func cacheLookup(hit: Bool)
    }

    /// The server as the last operation found it.
    public struct Health: Sendable, Hashable {
        /// When an operation last got an answer from the server.
        public var lastSuccess: Date?
        /// When one last failed because the server could not be reached.
        public var lastFailure: Date?
        /// Why it failed.
        public var lastError: String?

        /// True when the last operation could not reach the server.
        public var isDown: Bool {
            guard let lastFailure else { return false }
            return lastSuccess.map { lastFailure > $0 } ?? true
        }
    }

    private let state = Mutex<(health: Health, observer: (any Observer)?)>((Health(), nil))

    public init() {}

    /// The server's health as the last operation found it.
    public var health: Health { state.withLock { $0.health } }

    /// Sets the observer (one; a later call replaces it).
    public func observe(_ observer: any Observer) { state.withLock { $0.observer = observer } }

    /// Records one operation that took `duration`; `error` is its failure, if any.
    func completed(_ duration: Duration, error: LDAPError?) {
        let observer = state.withLock { state in
            if let error, error.isUnavailable {
                state.health.lastFailure = Date()
                state.health.lastError = error.description
            } else {
                // The server answered (a refused password is an answer too).
                state.health.lastSuccess = Date()
            }
            return state.observer
        }
        let failed = error.map { $0.code != LDAPError.Code.invalidCredentials } ?? false
        observer?.operation(duration: duration, failed: failed)
    }

    func cacheLookup(hit: Bool) {
        state.withLock { $0.observer }?.cacheLookup(hit: hit)
    }

    /// Times `body`, recording its outcome.
    func timed<T>(_ body: () async throws(LDAPError) -> T) async throws(LDAPError) -> T {
        let start = ContinuousClock.now
        do {
            let value = try await body()
            completed(ContinuousClock.now - start, error: nil)
            return value
        } catch {
            completed(ContinuousClock.now - start, error: error)
            throw error
        }
    }
}

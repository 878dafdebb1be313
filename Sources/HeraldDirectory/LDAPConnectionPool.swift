import Foundation
import Synchronization

/// A few connections to one directory, opened on demand, each lent to one job at a time.
///
/// Every job runs on the ``BlockingExecutor``. A connection that fails with an outage code is
/// discarded together with every idle one (a restarted server has dropped them all) and the
/// job is retried once on a fresh connection; a connection idle for longer than
/// `healthCheckAfter` is pinged before it is lent.
final class LDAPConnectionPool: Sendable {
    /// How a fresh connection authenticates; nil leaves it anonymous (for agent binds).
    struct Credentials: Sendable {
        let dn: String
        let password: String
    }

    let options: LDAPConnectionOptions
    let credentials: Credentials?
    let capacity: Int
    let healthCheckAfter: TimeInterval
    let executor: BlockingExecutor
    let statistics: LDAPStatistics

    private struct State {
        var idle: [LDAPConnection] = []
        var open = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        var closed = false
    }

    private let state = Mutex(State())

    init(options: LDAPConnectionOptions, credentials: Credentials?, capacity: Int = 4, healthCheckAfter: TimeInterval = 30,
         executor: BlockingExecutor, statistics: LDAPStatistics) {
        self.options = options
        self.credentials = credentials
        self.capacity = max(1, capacity)
        self.healthCheckAfter = healthCheckAfter
        self.executor = executor
        self.statistics = statistics
    }

    /// Runs `body` with a connection, on the executor; retries once on a fresh connection if
    /// the one it got turns out to be dead.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (LDAPConnection) throws(LDAPError) -> T)
        async throws(LDAPError) -> T
    {
        var attempt = 0
        while true {
            attempt += 1
            let reused = await checkOut()
            // The result, and the connection when it is still good to lend again.
            let outcome: (Result<T, LDAPError>, LDAPConnection?)
            do {
                outcome = try await executor.run { [self] in
                    let connection: LDAPConnection
                    do throws(LDAPError) {
                        if let reused {
                            if Date().timeIntervalSince(reused.lastUsed) > healthCheckAfter { try reused.ping() }
                            connection = reused
                        } else {
                            connection = try open()
                        }
                    } catch {
                        reused?.close()
                        return (.failure(error), nil)
                    }
                    do throws(LDAPError) { return (.success(try body(connection)), connection) } catch {
                        if error.isUnavailable {
                            connection.close()
                            return (.failure(error), nil)
                        }
                        return (.failure(error), connection)
                    }
                }
            } catch {
                reused?.close()
                release()
                throw LDAPError(code: LDAPError.Code.localError, operation: "run", message: "\(error)")
            }
            if let connection = outcome.1 { checkIn(connection) } else { release() }
            switch outcome.0 {
            case .success(let value): return value
            case .failure(let error):
                if error.isUnavailable {
                    drain()
                    // A pooled connection may just have been dropped by a restarted server.
                    if reused != nil && attempt == 1 { continue }
                }
                throw error
            }
        }
    }

    /// Closes the idle connections; busy ones close when they come back.
    func shutdown() {
        let idle = state.withLock { state in
            state.closed = true
            defer { state.idle = [] }
            return state.idle
        }
        for connection in idle { connection.close() }
    }

    /// Opens and authenticates a connection (blocking).
    private func open() throws(LDAPError) -> LDAPConnection {
        let connection = try LDAPConnection(options: options, statistics: statistics)
        if let credentials { try connection.bind(dn: credentials.dn, password: credentials.password) }
        return connection
    }

    /// An idle connection, or nil when the caller may open a new one; waits while all
    /// `capacity` connections are lent out.
    private func checkOut() async -> LDAPConnection? {
        while true {
            enum Decision { case reuse(LDAPConnection), open, wait }
            let decision: Decision = state.withLock { state in
                if let connection = state.idle.popLast() { return .reuse(connection) }
                if state.open < capacity {
                    state.open += 1
                    return .open
                }
                return .wait
            }
            switch decision {
            case .reuse(let connection): return connection
            case .open: return nil
            case .wait:
                await withCheckedContinuation { continuation in
                    let resumeNow = state.withLock { state in
                        if !state.idle.isEmpty || state.open < capacity { return true }
                        state.waiters.append(continuation)
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
        }
    }

    /// Returns a working connection (it stays counted as open).
    private func checkIn(_ connection: LDAPConnection) {
        let (waiter, closeIt) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Bool) in
            if state.closed {
                state.open -= 1
                return (nil, true)
            }
            if !state.idle.contains(where: { $0 === connection }) { state.idle.append(connection) }
            return (state.waiters.isEmpty ? nil : state.waiters.removeFirst(), false)
        }
        if closeIt { connection.close() }
        waiter?.resume()
    }

    /// Forgets a connection that was closed or never opened.
    private func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.open -= 1
            return state.waiters.isEmpty ? nil : state.waiters.removeFirst()
        }
        waiter?.resume()
    }

    /// Closes every idle connection (after an outage they are all suspect).
    private func drain() {
        let (idle, waiters) = state.withLock { state in
            defer {
                state.open -= state.idle.count
                state.idle = []
                state.waiters = []
            }
            return (state.idle, state.waiters)
        }
        for connection in idle { connection.close() }
        for waiter in waiters { waiter.resume() }
    }
}

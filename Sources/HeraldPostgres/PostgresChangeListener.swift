import Foundation
import HeraldCore
import Logging
import PostgresNIO
import Synchronization

/// This process's one listening connection (`LISTEN herald_changes`), shared by the lifecycle
/// and realm change feeds of a ``PostgresStore``: it hands every change any replica notifies
/// to this process's subscribers, and reconnects, with a backoff, when the connection drops.
///
/// At least once: after a reconnect (or a subscription made while it could not listen), it
/// delivers a `reload` of every stored realm to every subscriber, once it is listening again,
/// so whatever was notified while it was not is read from the store. A ping every
/// ``pingInterval`` on the connection finds a connection that died without closing.
final class PostgresChangeListener: Sendable {
    /// The `NOTIFY` channel of every change (one per database: the replicas of one store).
    static let channel = "herald_changes"
    /// The origin of the reloads it delivers itself: no replica's, so every replica applies them.
    static let reloadOrigin = ReplicaID("herald.postgres.listener")
    /// The listening connection's `application_name`.
    static let applicationName = "herald-change-listener"

    private struct State {
        var task: Task<Void, Never>?
        var listening = false
        /// Changes may have been missed: deliver reloads once listening (again).
        var missed = false
        var closed = false
        var connects = 0
    }

    let endpoint: PostgresEndpoint
    let logger: Logger
    let lifecycle = LocalChangeFeed<LifecycleChange>()
    let realms = LocalChangeFeed<RealmChange>()
    let pingInterval: Duration
    /// How long a subscription waits for the connection before it returns anyway (and the
    /// reloads at the next connect cover what it missed).
    let subscribeWait: Duration
    private let state = Mutex(State())

    init(endpoint: PostgresEndpoint, logger: Logger, pingInterval: Duration = .seconds(2),
         subscribeWait: Duration = .seconds(10)) {
        self.endpoint = endpoint
        self.logger = logger
        self.pingInterval = pingInterval
        self.subscribeWait = subscribeWait
    }

    /// Whether the connection is listening now.
    var isListening: Bool { state.withLock { $0.listening } }

    /// Whether a subscriber waits for changes that cannot reach it now (started, not
    /// listening): this replica may miss other replicas' kills until it reconnects.
    var isDown: Bool { state.withLock { $0.task != nil && !$0.listening && !$0.closed } }

    /// How many times it has started listening (tests: a reconnect happened).
    var connectCount: Int { state.withLock { $0.connects } }

    /// A subscription to the lifecycle changes, registered before it waits for the connection.
    func subscribeLifecycle() async -> AsyncStream<LifecycleChange> {
        let stream = lifecycle.subscribe()
        await waitUntilListening()
        return stream
    }

    /// A subscription to the realm changes, registered before it waits for the connection.
    func subscribeRealms() async -> AsyncStream<RealmChange> {
        let stream = realms.subscribe()
        await waitUntilListening()
        return stream
    }

    /// Stops listening for good (the store closed).
    func close() {
        let task = state.withLock { state in
            state.closed = true
            return state.task
        }
        task?.cancel()
    }

    /// Starts the connection once, then waits until it listens, or ``subscribeWait``; a
    /// subscriber that stopped waiting is owed the reloads of the next connect.
    private func waitUntilListening() async {
        state.withLock { state in
            guard state.task == nil, !state.closed else { return }
            state.task = Task { [self] in await run() }
        }
        let deadline = ContinuousClock.now + subscribeWait
        while !isListening {
            guard ContinuousClock.now < deadline, !Task.isCancelled else {
                state.withLock { $0.missed = true }
                logger.warning("change listener not connected yet; subscribed anyway, a reload follows its connect")
                return
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Connects, listens and dispatches until closed, reconnecting after a failure.
    private func run() async {
        var backoff: Duration = .milliseconds(100)
        while !Task.isCancelled {
            do {
                var configuration = try endpoint.connectionConfiguration()
                // Named, so an operator sees it in pg_stat_activity (and a test can cut it).
                configuration.options.additionalStartupParameters = [("application_name", Self.applicationName)]
                let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
                do {
                    try await listen(on: connection) { backoff = .milliseconds(100) }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch where !Task.isCancelled {
                logger.error("change listener lost its connection; reconnecting (every replica reloads what it missed)",
                             metadata: ["error": "\(PostgresStore.describe(error))"])
            } catch {}
            state.withLock { state in
                if state.listening { state.missed = true }
                state.listening = false
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(5))
        }
    }

    /// Listens on `connection` until it fails: delivers the owed reloads first, then every
    /// notification, while pinging the connection.
    private func listen(on connection: PostgresConnection, connected: () -> Void) async throws {
        try await connection.listen(on: Self.channel) { notifications in
            connected()
            let missed = state.withLock { state in
                state.listening = true
                state.connects += 1
                defer { state.missed = false }
                return state.missed
            }
            if missed { try await deliverReloads(connection) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { [self] in
                    for try await notification in notifications {
                        try await dispatch(notification.payload, connection: connection)
                    }
                    throw HeraldError(.storage, "the change listener's connection closed")
                }
                group.addTask { [self] in
                    while true {
                        try await Task.sleep(for: pingInterval)
                        try await Self.withDeadline(pingInterval * 2) {
                            try await connection.query("SELECT 1", logger: self.logger)
                        }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    private func dispatch(_ payload: String, connection: PostgresConnection) async throws {
        switch try? PostgresChangeMessage(payload: payload) {
        case .lifecycle(let change): lifecycle.publish(change)
        case .realm(let change): realms.publish(change)
        case nil:
            // Not a change this binary reads (a newer replica's?): it may have been anything.
            logger.error("unreadable change notification; reloading every realm", metadata: ["length": "\(payload.count)"])
            try await deliverReloads(connection)
        }
    }

    /// A `reload` of every stored realm to every subscriber of both feeds.
    private func deliverReloads(_ connection: PostgresConnection) async throws {
        let names = try await connection.query("SELECT name FROM realms ORDER BY name COLLATE \"C\"", logger: logger)
            .decode(String.self).reduce(into: [String]()) { $0.append($1) }
        for name in names {
            lifecycle.publish(LifecycleChange(origin: Self.reloadOrigin, realm: name, kind: .reload))
            realms.publish(RealmChange(origin: Self.reloadOrigin, realm: name))
        }
        logger.notice("change listener listening again; every realm reloads from the store",
                      metadata: ["realms": "\(names.count)"])
    }

    /// `body`, or an error once `limit` has passed without its answer.
    static func withDeadline(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await body(); return true }
            group.addTask { try await Task.sleep(for: limit); return false }
            let answered = try await group.next() ?? false
            group.cancelAll()
            guard answered else { throw HeraldError(.storage, "the change listener's connection did not answer a ping") }
        }
    }

    /// Hands `message` to every replica's listener: one `NOTIFY`, on a pooled connection,
    /// committed on its own right after the change's own transaction. Throws when it cannot.
    static func notify(_ payload: String, client: PostgresClient, logger: Logger, what: String) async throws {
        try await PostgresStore.mapErrors(what) {
            try await client.withConnection { connection in
                _ = try await connection.query("SELECT pg_notify(\(channel), \(payload))", logger: logger)
            }
        }
    }
}

import Foundation
import HeraldCore
import Logging
import PostgresNIO

/// Herald's store on PostgreSQL: the schema of the SQLite store (`HeraldStore`), the same
/// rules (``KeyRules``, ``LifecycleRules``), the same sealed private keys and the same audit
/// chain, so several Herald processes can share one database (issue 14).
///
/// Owns a ``PostgresClient`` (a connection pool) and the task that runs it; ``close()``
/// cancels that task, after which every call fails. Opened through ``PostgresStoreBackend``.
public final class PostgresStore: Sendable {
    /// `postgres://…` (its description hides the password).
    public let location: StoreLocation
    let client: PostgresClient
    let logger: Logger
    private let runTask: Task<Void, Never>
    /// The replica-shared state in this database (``sharedState()``); its listener connects
    /// on the first subscription. Each store is its own replica (a fresh id): the server
    /// opens one per process, and two in one process (tests) must not skip each other's changes.
    let shared: SharedState
    let listener: PostgresChangeListener

    /// Connects to the database `location` names, proves it answers (a clear error when it is
    /// unreachable, refuses the credentials or does not exist), then, for ``StoreAccess/readWrite``,
    /// applies the pending migrations once under an advisory lock (``PostgresMigrations``).
    public static func open(_ location: StoreLocation, access: StoreAccess = .readWrite, logger: Logger? = nil)
        async throws -> PostgresStore
    {
        let endpoint = try PostgresEndpoint(location)
        let logger = logger ?? Logger(label: "herald.store.postgres")
        // Migrations on the probe's own connection: the pool is not needed until they are done.
        try await withProbeConnection(endpoint, location: location, logger: logger) { connection in
            switch access {
            case .readWrite: try await PostgresMigrations.migrate(connection, location: location, logger: logger)
            case .readOnly: try await PostgresMigrations.checkKnown(connection, location: location, logger: logger)
            }
        }
        let client = PostgresClient(configuration: endpoint.clientConfiguration(), backgroundLogger: logger)
        // Returns once the task is entering run(): a lease before run() has begun still
        // works, but logs a warning for each early query.
        let (entered, signal) = AsyncStream<Void>.makeStream()
        let runTask = Task<Void, Never> {
            signal.finish()
            await client.run()
        }
        for await _ in entered {}
        await Task.yield()
        return PostgresStore(location: location, endpoint: endpoint, client: client, logger: logger, runTask: runTask)
    }

    private init(location: StoreLocation, endpoint: PostgresEndpoint, client: PostgresClient, logger: Logger,
                 runTask: Task<Void, Never>) {
        self.location = location
        self.client = client
        self.logger = logger
        self.runTask = runTask
        let listener = PostgresChangeListener(endpoint: endpoint, logger: logger)
        self.listener = listener
        shared = SharedState(
            replica: ReplicaID(UUID().uuidString), replayCache: PostgresReplayCache(client: client, logger: logger),
            lifecycleChanges: PostgresLifecycleChangeFeed(client: client, logger: logger, listener: listener),
            realmChanges: PostgresRealmChangeFeed(client: client, logger: logger, listener: listener),
            federationSequence: PostgresFederationSequence(client: client, logger: logger))
    }

    /// Closes the pool and the change listener: running queries fail, no new ones start.
    public func close() {
        listener.close()
        runTask.cancel()
    }

    // A store nobody holds any more (a server that stopped, in tests) must not keep its
    // listener reconnecting for ever.
    deinit { close() }

    /// `body` on one direct connection, before the pool exists: the pool retries a failing
    /// connect quietly, and a mistyped password must stop the start with the server's reason.
    private static func withProbeConnection(
        _ endpoint: PostgresEndpoint, location: StoreLocation, logger: Logger,
        _ body: (PostgresConnection) async throws -> Void
    ) async throws {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: try endpoint.connectionConfiguration(), id: 0, logger: logger)
        } catch {
            throw HeraldError(.storage, "cannot open the PostgreSQL store \(location): \(describe(error))")
        }
        do {
            try await mapErrors("opening \(location)") { try await body(connection) }
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// `body` inside one transaction on one pooled connection: committed when it returns,
    /// rolled back when it throws (its error passes through unchanged, e.g. a refused edit).
    func transaction<T: Sendable>(_ what: String, _ body: @Sendable (PostgresConnection) async throws -> T)
        async throws -> T
    {
        try await Self.mapErrors(what) {
            try await client.withConnection { connection in
                try await Self.inTransaction(connection, logger: logger, body)
            }
        }
    }

    /// `body` between BEGIN and COMMIT on `connection`; ROLLBACK when it throws.
    static func inTransaction<T: Sendable>(_ connection: PostgresConnection, logger: Logger,
                                           _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await connection.query("BEGIN", logger: logger)
        do {
            let value = try await body(connection)
            try await connection.query("COMMIT", logger: logger)
            return value
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// One statement on a pooled connection, committed on its own (PostgreSQL's autocommit).
    func execute(_ what: String, _ query: PostgresQuery) async throws {
        try await mapErrors(what) {
            try await client.withConnection { connection in _ = try await connection.query(query, logger: logger) }
        }
    }

    /// `body` on one pooled connection, outside a transaction (reads).
    func read<T: Sendable>(_ what: String, _ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await mapErrors(what) { try await client.withConnection { try await body($0) } }
    }

    /// Database failures become ``HeraldError/Code/storage`` naming what failed and why;
    /// errors thrown by a caller's closure (a refused edit) pass through unchanged.
    func mapErrors<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        try await Self.mapErrors(what, body)
    }

    /// ``mapErrors(_:_:)`` before a store exists.
    static func mapErrors<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as HeraldError { throw error } catch let error as PSQLError {
            throw HeraldError(.storage, "\(what): \(describe(error))")
        } catch let error as PostgresDecodingError {
            throw HeraldError(.storage, "\(what): a stored value does not decode (\(error.code), column \(error.columnName))")
        } catch let error as DecodingError {
            throw HeraldError(.storage, "\(what): \(error)")
        } catch let error as EncodingError {
            throw HeraldError(.storage, "\(what): \(error)")
        }
    }

    /// What went wrong, in words: PSQLError's own description hides everything (it may be
    /// logged with secrets in a query); the server's message and SQLSTATE never hold the password.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return "the server said: \(message)\(state)"
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }
}

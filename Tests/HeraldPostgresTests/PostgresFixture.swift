import Foundation
import HeraldCore
import HeraldPostgres
import Logging
import PostgresNIO

/// The test cluster and a fresh database per test on it.
///
/// The cluster is `HERALD_TEST_POSTGRES_URL` (what `make test` passes, from
/// `scripts/postgres.sh start`); without it the fixture runs `scripts/postgres.sh start`
/// itself, as the LDAP tests start their slapd. When neither gives a server, the test fails
/// saying how to start one: a PostgreSQL run that finds no server never passes quietly.
enum PostgresFixture {
    /// The environment variable naming the test cluster.
    static let variable = "HERALD_TEST_POSTGRES_URL"

    struct FixtureError: Error, CustomStringConvertible {
        let description: String
    }

    /// The repository's `scripts/postgres.sh`.
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/postgres.sh").path
    }

    /// The cluster's URL (its default database).
    static func serverURL() throws -> String {
        if let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty { return url }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = ["start"]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch {
            throw FixtureError(description: "cannot run \(script): \(error); \(howToStart)")
        }
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError(description: """
                no PostgreSQL test server: scripts/postgres.sh start failed (\(String(decoding: complaint, as: UTF8.self))\
                ); \(howToStart)
                """)
        }
        return String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static let howToStart = """
        install PostgreSQL (scripts/install-deps.sh --test), then run the tests with \
        \(variable)=$(scripts/postgres.sh start) or through make test
        """

    /// `url` with its database replaced by `database`.
    static func url(_ url: String, database: String) throws -> String {
        guard var components = URLComponents(string: url) else { throw FixtureError(description: "\(variable) is not a URL") }
        components.path = "/" + database
        return components.string!
    }

    /// Runs `body` with the URL of a new, empty database, dropped afterwards whatever happens.
    static func withDatabase<T: Sendable>(_ body: (String) async throws -> T) async throws -> T {
        let server = try serverURL()
        let name = "herald_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await admin(server, "CREATE DATABASE \(name)")
        do {
            let value = try await body(try url(server, database: name))
            try await admin(server, "DROP DATABASE \(name) WITH (FORCE)")
            return value
        } catch {
            try? await admin(server, "DROP DATABASE \(name) WITH (FORCE)")
            throw error
        }
    }

    /// A new, empty database; its URL. The caller drops it (``dropDatabase(_:)``).
    static func createDatabase() async throws -> String {
        let server = try serverURL()
        let name = "herald_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await admin(server, "CREATE DATABASE \(name)")
        return try url(server, database: name)
    }

    /// Drops the database `url` names (its connections too).
    static func dropDatabase(_ url: String) async throws {
        guard let name = URLComponents(string: url)?.path.dropFirst(), name.hasPrefix("herald_test_") else { return }
        try await admin(try serverURL(), "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs `body` with a store on a new database, closed and dropped afterwards.
    static func withStore<T: Sendable>(_ body: (PostgresStore) async throws -> T) async throws -> T {
        try await withDatabase { url in
            let store = try await PostgresStore.open(try StoreLocation(parsing: url))
            defer { store.close() }
            return try await body(store)
        }
    }

    /// The first column (text) of `sql`'s rows on the database `url` names.
    static func strings(_ url: String, _ sql: String) async throws -> [String] {
        try await withConnection(url) { connection, logger in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(String.self)
                .reduce(into: [String]()) { $0.append($1) }
        }
    }

    /// One statement on the cluster's default database (CREATE/DROP DATABASE cannot run in
    /// a transaction, nor on the database they name).
    static func admin(_ server: String, _ sql: String) async throws {
        try await withConnection(server) { connection, logger in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            return ()
        }
    }

    /// `body` on one direct connection to the database `url` names, closed afterwards.
    static func withConnection<T: Sendable>(_ url: String,
                                            _ body: (PostgresConnection, Logger) async throws -> T) async throws -> T {
        guard let components = URLComponents(string: url), let host = components.host, let user = components.user
        else { throw FixtureError(description: "\(variable)='\(url)' is not postgres://USER:PASSWORD@HOST:PORT/DB") }
        let configuration = PostgresConnection.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: String(components.path.dropFirst()), tls: .disable)
        let logger = Logger(label: "herald.test.postgres")
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        } catch {
            // PSQLError's description hides everything; its code and underlying error say why.
            let reason = (error as? PSQLError).map { "\($0.code)\($0.underlying.map { ": \($0)" } ?? "")" } ?? "\(error)"
            throw FixtureError(description: "no PostgreSQL test server at \(host):\(components.port ?? 5432) (\(reason)); \(howToStart)")
        }
        do {
            let value = try await body(connection, logger)
            try await connection.close()
            return value
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

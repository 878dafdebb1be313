import Foundation
import HeraldCore
import HeraldPostgres
import Testing

/// A store that cannot be opened says why and what to write, and never shows the password.
@Suite("Postgres store open errors", .serialized)
struct PostgresOpenErrorTests {
    private func openError(_ url: String) async throws -> HeraldError {
        do {
            let store = try await PostgresStoreBackend().open(try StoreLocation(parsing: url), access: .readWrite,
                                                              logger: nil)
            (store as? PostgresStore)?.close()
            Issue.record("\(url) opened")
            return HeraldError(.conflict, "opened")
        } catch let error as HeraldError {
            return error
        }
    }

    @Test("the location's description hides the password")
    func redacted() throws {
        let location = try StoreLocation(parsing: "postgres://herald:s3cret%21@db.example.com:5432/herald")
        #expect("\(location)" == "postgres://herald:***@db.example.com:5432/herald")
        #expect(!"\(location)".contains("s3cret"))
        #expect(try StoreLocation(parsing: "postgresql://herald@db/herald").description == "postgresql://herald@db/herald")
    }

    @Test("malformed URLs are refused naming what is missing", arguments: [
        ("postgres:herald", "not a URL"), ("postgres://127.0.0.1:55432/herald", "names no user"),
        ("postgres://herald@127.0.0.1:55432", "names no database"), ("postgres://herald@127.0.0.1:55432/", "names no database"),
        ("postgres://herald@127.0.0.1:55432/herald?sslmode=maybe", "sslmode 'maybe'"),
        ("postgres://herald@127.0.0.1:55432/herald?timeout=3", "unknown parameter 'timeout'"),
    ])
    func malformed(url: String, problem: String) async throws {
        let error = try await openError(url)
        #expect(error.code == .invalidConfiguration, "\(error)")
        #expect(error.message.contains(problem) && error.message.contains("postgres://herald:PASSWORD@"), "\(error)")
    }

    @Test("an unreachable server is a storage error naming the place, without the password")
    func unreachable() async throws {
        // Port 1 on loopback: nothing listens there, the connect is refused at once.
        let error = try await openError("postgres://herald:hunter2-secret@127.0.0.1:1/herald")
        #expect(error.code == .storage)
        #expect(error.message.contains("cannot open the PostgreSQL store postgres://herald:***@127.0.0.1:1/herald"),
                "\(error)")
        #expect(!error.message.contains("hunter2-secret"), "\(error)")
    }

    @Test("a wrong password is refused with the server's reason, without the password")
    func wrongPassword() async throws {
        let server = try PostgresFixture.serverURL()
        var components = try #require(URLComponents(string: server))
        components.password = "not-the-password"
        let error = try await openError(components.string!)
        #expect(error.code == .storage)
        #expect(error.message.contains("password authentication failed"), "\(error)")
        #expect(error.message.contains("28P01"), "\(error)")
        #expect(!error.message.contains("not-the-password"), "\(error)")
    }

    @Test("the password may come from PGPASSWORD instead of the URL")
    func passwordFromEnvironment() async throws {
        let server = try PostgresFixture.serverURL()
        var components = try #require(URLComponents(string: server))
        let password = try #require(components.password)
        components.password = nil
        let location = try StoreLocation(parsing: components.string!)
        setenv("PGPASSWORD", password, 1)
        defer { unsetenv("PGPASSWORD") }
        let store = try await PostgresStore.open(location, access: .readWrite)
        defer { store.close() }
        try await store.probeWrite()
    }

    @Test("a database that does not exist is named in the error")
    func missingDatabase() async throws {
        let server = try PostgresFixture.serverURL()
        let error = try await openError(try PostgresFixture.url(server, database: "herald_no_such_database"))
        #expect(error.code == .storage)
        #expect(error.message.contains("herald_no_such_database"), "\(error)")
    }
}

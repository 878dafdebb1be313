import Foundation
import HeraldCore
@testable import HeraldPostgres
import PostgresNIO
import Testing

/// An audit entry is durable before its token is answered, whatever the server's default.
@Suite("Postgres store durability")
struct PostgresDurabilityTests {
    @Test("the pool's connections commit synchronously even where the database's default is off")
    func synchronousCommit() async throws {
        try await PostgresFixture.withDatabase { url in
            let name = String(try #require(URLComponents(string: url)).path.dropFirst())
            try await PostgresFixture.admin(try PostgresFixture.serverURL(),
                                            "ALTER DATABASE \(name) SET synchronous_commit = off")
            // A plain connection gets the database's default: the check below can fail.
            #expect(try await PostgresFixture.strings(url, "SHOW synchronous_commit") == ["off"])
            let store = try await PostgresStore.open(try StoreLocation(parsing: url))
            defer { store.close() }
            let setting = try await store.read("reading synchronous_commit") { connection in
                try await connection.query("SHOW synchronous_commit", logger: store.logger).decode(String.self)
                    .reduce(into: [String]()) { $0.append($1) }
            }
            #expect(setting == ["on"])
        }
    }
}

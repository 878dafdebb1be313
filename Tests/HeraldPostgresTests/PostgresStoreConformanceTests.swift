import HeraldCore
import HeraldPostgres
import HeraldTesting
import Testing

/// StoreConformance on PostgreSQL: each check on a fresh database of the test cluster
/// (scripts/postgres.sh), the same checks the SQLite store passes.
@Suite("Postgres store conformance", .serialized)
struct PostgresStoreConformanceTests {
    @Test("conformance: realms")
    func realms() async throws { try await PostgresFixture.withStore { try await StoreConformance.realmsRoundTrip($0) } }

    @Test("conformance: key transitions")
    func keys() async throws { try await PostgresFixture.withStore { try await StoreConformance.keysTransition($0) } }

    @Test("conformance: key rules")
    func keyRules() async throws { try await PostgresFixture.withStore { try await StoreConformance.keyRules($0) } }

    @Test("conformance: agent lifecycle")
    func lifecycle() async throws { try await PostgresFixture.withStore { try await StoreConformance.lifecycle($0) } }

    @Test("conformance: lifecycle rules")
    func lifecycleRules() async throws {
        try await PostgresFixture.withStore { try await StoreConformance.lifecycleRules($0) }
    }

    @Test("conformance: federation peers")
    func federationPeers() async throws {
        try await PostgresFixture.withStore { try await StoreConformance.federationPeers($0) }
    }

    @Test("conformance: health and sealed keys")
    func health() async throws { try await PostgresFixture.withStore { try await StoreConformance.health($0) } }

    @Test("conformance: the audit log")
    func auditLog() async throws { try await PostgresFixture.withStore { try await StoreConformance.auditLog($0) } }

    @Test("conformance: every check through the backend, each on its own database")
    func all() async throws {
        var stores: [PostgresStore] = []
        var databases: [String] = []
        defer { for store in stores { store.close() } }
        try await StoreConformance.all {
            let url = try await PostgresFixture.createDatabase()
            databases.append(url)
            let store = try await PostgresStoreBackend().open(try StoreLocation(parsing: url), access: .readWrite, logger: nil)
            stores.append(try #require(store as? PostgresStore))
            return store
        }
        for store in stores { store.close() }
        stores = []
        for url in databases { try await PostgresFixture.dropDatabase(url) }
    }
}

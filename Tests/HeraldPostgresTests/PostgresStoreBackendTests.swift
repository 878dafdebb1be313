import HeraldCore
import HeraldPostgres
import Testing

@Suite("Postgres store backend")
struct PostgresStoreBackendTests {
    @Test("opens the postgres and postgresql schemes")
    func schemes() {
        #expect(PostgresStoreBackend().schemes == ["postgres", "postgresql"])
    }
}

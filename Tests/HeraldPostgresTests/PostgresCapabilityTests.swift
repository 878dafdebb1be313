import Foundation
import HeraldCore
import HeraldPostgres
import HeraldTesting
import Testing

/// Consumed capabilities on PostgreSQL: the conformance check, and two replicas (two stores
/// on one database) racing for one capability, of which exactly one consumes it.
@Suite("Postgres store: consumed capabilities", .serialized)
struct PostgresCapabilityTests {
    @Test("conformance: a capability is consumed once")
    func capabilities() async throws {
        try await PostgresFixture.withStore { try await StoreConformance.capabilities($0) }
    }

    @Test("two replicas racing for one capability: exactly one consumes it, 10 times over")
    func replicasRace() async throws {
        try await PostgresFixture.withDatabase { url in
            let location = try StoreLocation(parsing: url)
            let first = try await PostgresStore.open(location), second = try await PostgresStore.open(location)
            defer { first.close(); second.close() }
            let now = Date()
            for round in 0..<10 {
                let jti = "cap_race_\(round)"
                let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<8 {
                        let store = index % 2 == 0 ? first : second
                        group.addTask {
                            try await store.consumeCapability(realm: "acme", jti: jti, expiresAt: now + 60,
                                                              consumedAt: now)
                        }
                    }
                    return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
                #expect(wins == 1, "round \(round): \(wins) of 8 consumptions won")
            }
        }
    }
}

import Foundation
import HeraldCore
import Testing

extension StoreConformance {
    /// A capability is consumed once: the first consumption of a `jti` is true, every later one
    /// false, per realm; of 20 concurrent consumptions of one `jti` exactly one is true.
    public static func capabilities(_ store: some CapabilityRepository) async throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let expires = now + 60
        #expect(try await store.consumeCapability(realm: "acme", jti: "cap_1", expiresAt: expires, consumedAt: now))
        #expect(try await !store.consumeCapability(realm: "acme", jti: "cap_1", expiresAt: expires, consumedAt: now + 1))
        // Another realm's capability of the same jti is another capability.
        #expect(try await store.consumeCapability(realm: "beta", jti: "cap_1", expiresAt: expires, consumedAt: now))
        let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
            for offset in 0..<20 {
                group.addTask {
                    try await store.consumeCapability(realm: "acme", jti: "cap_race", expiresAt: expires,
                                                      consumedAt: now + Double(offset))
                }
            }
            var wins = 0
            for try await won in group where won { wins += 1 }
            return wins
        }
        #expect(wins == 1, "exactly one of 20 concurrent consumptions wins")
        // Pruning old rows never forgets a capability that is still valid: one consumed long
        // ago but valid for a day is still used after later consumptions pruned the rest.
        #expect(try await store.consumeCapability(realm: "acme", jti: "cap_long", expiresAt: now + 86400,
                                                  consumedAt: now))
        #expect(try await store.consumeCapability(realm: "acme", jti: "cap_later", expiresAt: now + 7200,
                                                  consumedAt: now + 3600))
        #expect(try await !store.consumeCapability(realm: "acme", jti: "cap_long", expiresAt: now + 86400,
                                                   consumedAt: now + 3601))
    }
}

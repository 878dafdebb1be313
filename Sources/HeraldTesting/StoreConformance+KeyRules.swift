import Foundation
import HeraldCore
import Testing

extension StoreConformance {
    /// ``KeyRules`` as every backend must apply them: a refused change (by the rules or by the
    /// caller's closure) writes nothing, and federation keys are a set apart from token keys.
    public static func keyRules(_ store: some RealmRepository & KeyRepository) async throws {
        try await store.save(RealmConfig(name: "acme"))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        @Sendable func key(_ kid: String, _ state: KeyState, _ algorithm: SigningAlgorithm = .es256,
                           realm: String = "acme") -> StoredKey {
            StoredKey(realm: realm, kid: kid, algorithm: algorithm, state: state, createdAt: now, activatedAt: now,
                      publicJWK: "{\"kid\":\"\(kid)\"}", sealedPrivateKey: [1])
        }
        try await store.modifyKeys(realm: "acme") { $0 += [key("es", .active), key("ed", .active, .edDSA)] }
        let stored = try await store.keys(realm: "acme")

        func refused(_ purpose: KeyPurpose = .token, _ change: @escaping @Sendable (inout [StoredKey]) throws -> Void)
            async throws
        {
            let before = try await store.keys(realm: "acme", purpose: purpose)
            await #expect(throws: (any Error).self) { try await store.modifyKeys(realm: "acme", purpose: purpose, change) }
            #expect(try await store.keys(realm: "acme", purpose: purpose) == before)
        }
        // One active key per algorithm, never two (and two algorithms may each have one).
        #expect(stored.filter { $0.state == .active }.count == 2)
        try await refused { $0.append(key("es2", .active)) }
        // Never removed or duplicated; never another realm's; identity fields fixed.
        try await refused { $0.removeLast() }
        try await refused { $0.append($0[0]) }
        try await refused { $0.append(key("other", .prepared, realm: "beta")) }
        try await refused { $0[0].publicJWK = "{}" }
        try await refused { keys in
            keys[0].algorithm = keys[0].algorithm == .es256 ? .edDSA : .es256
            keys[0].state = .retired
        }
        try await refused { $0[0].createdAt = now + 1 }
        // A change the caller's closure throws from writes nothing.
        try await refused { keys in
            keys[0].state = .revoked
            throw RefusedEdit()
        }
        // Rules fail with .conflict, whatever the backend's own constraints say.
        do {
            try await store.modifyKeys(realm: "acme") { $0.removeLast() }
            Issue.record("removing a key was accepted")
        } catch let error as HeraldError {
            #expect(error.code == .conflict, "\(error)")
        }

        // Federation keys: their own set, one active key at all.
        try await store.modifyKeys(realm: "acme", purpose: .federation) { $0.append(key("f1", .active)) }
        try await refused(.federation) { $0.append(key("f2", .active, .edDSA)) }
        let rolled = try await store.modifyKeys(realm: "acme", purpose: .federation) { keys in
            keys[0].state = .retired
            keys.append(key("f2", .active, .edDSA))
        }
        #expect(rolled.sorted { $0.kid < $1.kid }.map(\.state) == [.retired, .active])
        #expect(try await store.keys(realm: "acme").map(\.kid).sorted() == ["ed", "es"])
        #expect(try await store.keys(realm: "acme", purpose: .federation).count == 2)

        // A revoked key stays, its private key erased; the state round-trips with its dates.
        let revoked = try await store.modifyKeys(realm: "acme") { keys in
            let index = keys.firstIndex { $0.kid == "es" }!
            keys[index].state = .revoked
            keys[index].revokedAt = now + 60
            keys[index].sealedPrivateKey = []
        }
        let es = try #require(revoked.first { $0.kid == "es" })
        #expect(es.state == .revoked && es.revokedAt == now + 60 && es.sealedPrivateKey.isEmpty && revoked.count == 2)
        try await store.deleteRealm(named: "acme")
        #expect(try await store.keys(realm: "acme", purpose: .federation).isEmpty)
    }
}

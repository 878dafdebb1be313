import Foundation
import HeraldCore
import Testing

/// The behaviour every store backend must have (architecture convention 7). A backend's
/// test suite calls each check with a fresh, empty store.
public enum StoreConformance {
    public static func realmsRoundTrip(_ store: some RealmRepository) async throws {
        #expect(try await store.realmNames().isEmpty)
        #expect(try await store.realm(named: "acme") == nil)
        var realm = RealmConfig(name: "acme", displayName: "Acme", tokenLifetimeSeconds: 120, algorithms: [.edDSA, .es256],
                                levelOverrides: ["L2": LevelPolicyOverride(txLimit: 7)],
                                roleMappings: [RoleMapping(group: "g", role: "mcps-l3")],
                                clients: [Client(clientID: "c", subject: "a", auth: .clientSecretBasic,
                                                 secretDigest: SecretDigest(salt: [1, 2], digest: [3, 4]),
                                                 scopes: ["x"], audience: ["https://rs"])],
                                agents: [Principal(id: "a", name: "A", org: "o", roles: ["mcps-l2"], groups: ["g"],
                                                   codeHash: "sha256:" + String(repeating: "0", count: 64))],
                                tools: ["db/query": .l2], defaultToolLevel: .l1,
                                trustPolicy: TrustPolicy(pipelineRequired: true, earnedLevels: false))
        try await store.save(realm)
        try await store.save(RealmConfig(name: "beta"))
        #expect(try await store.realm(named: "acme") == realm)
        #expect(try await store.realmNames() == ["acme", "beta"])
        realm.displayName = "Acme Corp"
        try await store.save(realm)
        #expect(try await store.realm(named: "acme")?.displayName == "Acme Corp")
        try await store.deleteRealm(named: "beta")
        #expect(try await store.realmNames() == ["acme"])
    }

    public static func keysTransition(_ store: some RealmRepository & KeyRepository) async throws {
        try await store.save(RealmConfig(name: "acme"))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        @Sendable func key(_ kid: String, _ state: KeyState) -> StoredKey {
            StoredKey(realm: "acme", kid: kid, algorithm: .es256, state: state, createdAt: now, activatedAt: now,
                      publicJWK: "{}", sealedPrivateKey: [9, 9])
        }
        let first = try await store.modifyKeys(realm: "acme") { $0.append(key("k1", .active)) }
        #expect(first.map(\.kid) == ["k1"])
        // Swapping the active key is one transaction: demote and promote together.
        let swapped = try await store.modifyKeys(realm: "acme") { keys in
            keys[0].state = .retired
            keys[0].publishUntil = now + 60
            keys.append(key("k2", .active))
        }
        #expect(swapped.map(\.state) == [.retired, .active])
        #expect(swapped[0].publishUntil == now + 60)
        // Two active keys of one algorithm are refused and nothing of the change is kept.
        await #expect(throws: (any Error).self) {
            try await store.modifyKeys(realm: "acme") { keys in
                keys[0].state = .active
                keys.append(key("k3", .prepared))
            }
        }
        #expect(try await store.keys(realm: "acme").map(\.kid) == ["k1", "k2"])
        // Rows are never removed.
        await #expect(throws: (any Error).self) { try await store.modifyKeys(realm: "acme") { $0.removeFirst() } }
        #expect(try await store.keys(realm: "acme").count == 2)
        // Deleting the realm deletes its keys.
        try await store.deleteRealm(named: "acme")
        #expect(try await store.keys(realm: "acme").isEmpty)
    }
}

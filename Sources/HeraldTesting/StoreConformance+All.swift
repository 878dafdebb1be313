import Foundation
import HeraldCore
import Testing

extension StoreConformance {
    /// Every check, each on a fresh, empty store from `makeStore`: what a new backend's test
    /// suite runs (issue 14's PostgreSQL store, for one), unchanged.
    public static func all(_ makeStore: () async throws -> any Store) async throws {
        try await realmsRoundTrip(try await makeStore())
        try await keysTransition(try await makeStore())
        try await keyRules(try await makeStore())
        try await lifecycle(try await makeStore())
        try await lifecycleRules(try await makeStore())
        try await federationPeers(try await makeStore())
        try await capabilities(try await makeStore())
        try await health(try await makeStore())
        try await auditLog(try await makeStore())
    }

    /// What the composition root asks of a store besides the repositories: a write probe
    /// that writes nothing, and the count of sealed private keys of both purposes.
    public static func health(_ store: some Store) async throws {
        #expect(!store.location.scheme.isEmpty)
        try await store.probeWrite()
        #expect(try await store.sealedKeyCount() == 0)
        #expect(try await store.realmNames().isEmpty, "the write probe wrote nothing")
        try await store.save(RealmConfig(name: "acme"))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for purpose in KeyPurpose.allCases {
            try await store.modifyKeys(realm: "acme", purpose: purpose) { keys in
                keys.append(StoredKey(realm: "acme", kid: "k-\(purpose)", algorithm: .es256, state: .prepared,
                                      createdAt: now, publicJWK: "{}", sealedPrivateKey: [7]))
            }
        }
        #expect(try await store.sealedKeyCount() == 2)
        try await store.probeWrite()
    }
}

import Foundation
import HeraldCore
import Testing

extension StoreConformance {
    /// Federation peer state: opaque bytes per realm and entity, replaced on save, gone with
    /// the peer or the realm.
    public static func federationPeers(_ store: some RealmRepository & FederationPeerRepository) async throws {
        try await store.save(RealmConfig(name: "acme"))
        try await store.save(RealmConfig(name: "beta"))
        #expect(try await store.peerStates(realm: "acme").isEmpty)
        let peerA = "https://a.example.com", peerB = "https://b.example.com"
        try await store.savePeerState(realm: "acme", entity: peerA, state: [1, 2, 3])
        try await store.savePeerState(realm: "acme", entity: peerB, state: [0, 255])
        try await store.savePeerState(realm: "beta", entity: peerA, state: [9])
        try await store.savePeerState(realm: "acme", entity: peerA, state: Array("{\"seq\":7}".utf8))
        #expect(try await store.peerStates(realm: "acme") == [peerA: Array("{\"seq\":7}".utf8), peerB: [0, 255]])
        #expect(try await store.peerStates(realm: "beta") == [peerA: [9]])

        try await store.deletePeerState(realm: "acme", entity: peerB)
        try await store.deletePeerState(realm: "acme", entity: "https://unknown.example.com")
        #expect(try await store.peerStates(realm: "acme").keys.sorted() == [peerA])
        // An empty state is a state.
        try await store.savePeerState(realm: "acme", entity: peerB, state: [])
        #expect(try await store.peerStates(realm: "acme")[peerB] == [])

        try await store.deleteRealm(named: "acme")
        #expect(try await store.peerStates(realm: "acme").isEmpty)
        #expect(try await store.peerStates(realm: "beta") == [peerA: [9]])
    }
}

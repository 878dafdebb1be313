import Foundation
import HeraldCore
import HeraldServer
@testable import HeraldServices
import HeraldTesting
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Realm changes for the other replicas")
struct RealmChangeTests {
    /// The first change on `stream`, or nil when none comes within two seconds.
    static func first(_ stream: AsyncStream<RealmChange>) async -> RealmChange? {
        await withTaskGroup(of: RealmChange?.self) { group in
            group.addTask { for await change in stream { return change }; return nil }
            group.addTask { try? await Task.sleep(for: .seconds(2)); return nil }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    @Test("an admin edit of a realm is announced on the realm change feed, by this replica")
    func adminEditIsAnnounced() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        let registry = server.herald.registry
        let changes = try await registry.changes.subscribe()
        try await server.herald.application.test(.router) { client in
            let token = try await admin.token(client)
            let added = try await client.call(.post, "/admin/realms/test/role-mappings", token: token,
                                              body: #"{"group":"ops","role":"mcps-l4"}"#)
            #expect(added.status == 201)
        }
        #expect(await Self.first(changes) == RealmChange(origin: registry.replica, realm: "test"))
    }

    @Test("an announcement that cannot be handed on is a 503 (fail closed)")
    func announceFailsClosed() async throws {
        let registry = RealmRegistry(defaultRealm: nil, changes: UnreachableSharedState<RealmChange>(), replica: ReplicaID("a"))
        do {
            try await registry.announce(realm: "acme")
            Issue.record("an announcement that reached no replica was taken for done")
        } catch {
            #expect(error.code == .temporarilyUnavailable)
        }
    }
}

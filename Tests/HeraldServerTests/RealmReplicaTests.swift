import Foundation
import HeraldCore
import HeraldServer
@testable import HeraldServices
import HeraldTesting
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("Realm changes reach a second replica")
struct RealmReplicaTests {
    @Test("a role mapping added through replica A's admin API is in force on replica B")
    func adminEditReachesReplicaB() async throws {
        let a = try await TestServer.start()
        defer { a.directory.remove() }
        // B: a second Herald on the same data directory (one store), following A's feed.
        let b = try await TestServer.start(directory: a.directory)
        let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        // One process: A's in-process feed stands in for the shared one, B has its own id.
        let follower = RealmFollower(registry: b.herald.registry, store: b.herald.store, keyManager: b.herald.keyManager,
                                     directories: DirectoryProvider(clock: b.clock, logger: quiet),
                                     publicURL: b.configuration.publicURL, changes: a.herald.registry.changes,
                                     replica: ReplicaID("b"), logger: quiet, loadNewRealm: { _ in })
        let feed = try #require(a.herald.registry.changes as? LocalChangeFeed<RealmChange>)
        let subscribers = feed.subscriberCount
        let following = Task { try await follower.run() }
        defer { following.cancel() }
        for _ in 0..<200 where feed.subscriberCount == subscribers { try await Task.sleep(for: .milliseconds(10)) }
        let admin = try AdminTestClient(server: a)
        // B issues no tokens here: two processes' audit writers on one chain collide (issue 14).
        func levelOnB() -> TrustLevel? {
            b.herald.registry.runtime(named: "test")?.profile(clientID: "two-bot")?.fixed?.directoryLevel
        }
        #expect(levelOnB() == .l2)
        try await a.herald.application.test(.router) { client in
            let token = try await admin.token(client)
            let added = try await client.call(.post, "/admin/realms/test/role-mappings", token: token,
                                              body: #"{"group":"ops","role":"mcps-l4"}"#)
            #expect(added.status == 201)
        }
        var mapped = false
        for _ in 0..<200 where !mapped {
            mapped = b.herald.registry.runtime(named: "test")?.config.roleMappings.contains { $0.group == "ops" } ?? false
            if !mapped { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(mapped, "B reloaded the realm A changed")
        #expect(levelOnB() == .l4, "B's runtime maps the agent with the new mapping")
    }
}

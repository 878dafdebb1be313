import Foundation
import HeraldCore
@testable import HeraldServices
import Testing

@Suite("Lifecycle book")
struct LifecycleBookTests {
    static let at = Date(timeIntervalSince1970: 1_700_000_000)

    static func agent(_ id: String, index: Int, org: String? = nil) -> AgentLifecycle {
        AgentLifecycle(agentID: id, stage: .active, org: org, registeredAt: at, statusIndex: index)
    }

    @Test("update applies the change and bumps the version, on a realm it has not seen too")
    func updateAppliesAndBumps() {
        let book = LifecycleBook()
        book.update(realm: "r") { $0.agents["a"] = Self.agent("a", index: 0) }
        #expect(book.book(realm: "r").version == 1)
        #expect(book.standing(realm: "r", agentID: "a", org: nil).record?.statusIndex == 0)

        book.update(realm: "r") { $0.agents["a"]?.kill = KillRecord(reason: "test", by: "admin", at: Self.at) }
        #expect(book.book(realm: "r").version == 2)
        #expect(book.standing(realm: "r", agentID: "a", org: nil).isStopped)
        #expect(book.book(realm: "other").version == 0)
    }

    @Test("a snapshot taken before an update keeps the state it had")
    func snapshotIsUnchangedByLaterUpdate() {
        let book = LifecycleBook()
        book.replace(realm: "r", with: RealmLifecycleState(agents: ["a": Self.agent("a", index: 0)]))
        let before = book.book(realm: "r")
        book.update(realm: "r") { $0.orgKills["acme"] = KillRecord(reason: "test", by: "admin", at: Self.at) }
        book.update(realm: "r") { $0.revokedTokens["jti-1"] = Self.at }

        #expect(before.version == 1)
        #expect(before.state.orgKills.isEmpty && before.state.revokedTokens.isEmpty)
        let after = book.book(realm: "r")
        #expect(after.version == 3)
        #expect(after.state.orgKills["acme"] != nil)
        #expect(book.isRevoked(realm: "r", jti: "jti-1"))
        #expect(book.standing(realm: "r", agentID: "b", org: "acme").isStopped)
    }

    @Test("many updates on a large realm each bump the version once")
    func manyUpdatesOnLargeRealm() {
        let book = LifecycleBook()
        var state = RealmLifecycleState()
        for index in 0..<10_000 { state.agents["agent-\(index)"] = Self.agent("agent-\(index)", index: index) }
        book.replace(realm: "r", with: state)
        for index in 0..<1_000 {
            book.update(realm: "r") { $0.agents["agent-\(index)"]?.outcomes.success += 1 }
        }
        let current = book.book(realm: "r")
        #expect(current.version == 1_001)
        #expect(current.state.agents.count == 10_000)
        #expect(current.state.agents["agent-999"]?.outcomes.success == 1)
        #expect(current.state.agents["agent-1000"]?.outcomes.success == 0)
    }
}

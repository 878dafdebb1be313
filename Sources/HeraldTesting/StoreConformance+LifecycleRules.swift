import Foundation
import HeraldCore
import Testing

extension StoreConformance {
    /// ``LifecycleRules`` as every backend must apply them: status indices are handed out in
    /// order per realm, never move and never go to two agents; a refused edit writes nothing.
    public static func lifecycleRules(_ store: some RealmRepository & LifecycleRepository) async throws {
        try await store.save(RealmConfig(name: "acme"))
        try await store.save(RealmConfig(name: "beta"))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        @Sendable func create(_ realm: String, _ agent: String) async throws -> Int? {
            try await store.modifyAgentLifecycle(realm: realm, agentID: agent) { record, next in
                record = record ?? AgentLifecycle(agentID: agent, registeredAt: now, statusIndex: next)
            }?.statusIndex
        }
        // Each realm counts from 0.
        #expect(try await create("acme", "a") == 0)
        #expect(try await create("acme", "b") == 1)
        #expect(try await create("beta", "x") == 0)
        // Editing an existing record offers the next index but keeps the record's own.
        let edited = try await store.modifyAgentLifecycle(realm: "acme", agentID: "a") { record, next in
            #expect(next == 2)
            record?.stage = .vetting
        }
        #expect(edited?.statusIndex == 0)

        func refused(_ agent: String, _ change: @escaping @Sendable (inout AgentLifecycle?, Int) throws -> Void)
            async throws
        {
            let before = try await store.lifecycleState(realm: "acme")
            do {
                try await store.modifyAgentLifecycle(realm: "acme", agentID: agent, change)
                Issue.record("the change of \(agent) was accepted")
            } catch let error as HeraldError {
                #expect(error.code == .conflict, "\(error)")
            } catch {
                Issue.record("\(error)")
            }
            #expect(try await store.lifecycleState(realm: "acme") == before)
        }
        // A record keeps its index; a new one takes the next; a record names its agent.
        try await refused("a") { record, _ in record?.statusIndex = 7 }
        try await refused("b") { record, _ in record?.statusIndex = 0 }
        try await refused("c") { record, next in record = AgentLifecycle(agentID: "c", registeredAt: now, statusIndex: next + 1) }
        try await refused("c") { record, _ in record = AgentLifecycle(agentID: "c", registeredAt: now, statusIndex: 0) }
        try await refused("c") { record, next in record = AgentLifecycle(agentID: "d", registeredAt: now, statusIndex: next) }

        // Concurrent registrations never share an index.
        let agents = (0..<20).map { "agent-\($0)" }
        let indices = try await withThrowingTaskGroup(of: Int?.self) { group in
            for agent in agents { group.addTask { try await create("acme", agent) } }
            return try await group.reduce(into: [Int]()) { $0.append($1 ?? -1) }
        }
        #expect(indices.sorted() == Array(2..<22))
        let state = try await store.lifecycleState(realm: "acme")
        #expect(Set(state.agents.values.map(\.statusIndex)).count == state.agents.count)
        #expect(state.agents.count == 22)
    }
}

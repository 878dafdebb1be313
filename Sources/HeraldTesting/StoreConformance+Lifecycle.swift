import Foundation
import HeraldCore
import Testing

extension StoreConformance {
    /// Lifecycle records, status indices, organisation kills, revoked tokens and passports.
    public static func lifecycle(_ store: some RealmRepository & LifecycleRepository) async throws {
        try await store.save(RealmConfig(name: "acme"))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try await store.lifecycleState(realm: "acme") == RealmLifecycleState())

        // New records take the next status index, in order.
        let first = try await store.modifyAgentLifecycle(realm: "acme", agentID: "a") { record, next in
            #expect(record == nil)
            record = AgentLifecycle(agentID: "a", org: "finance", registeredAt: now, statusIndex: next)
        }
        let second = try await store.modifyAgentLifecycle(realm: "acme", agentID: "b") { record, next in
            record = AgentLifecycle(agentID: "b", registeredAt: now, statusIndex: next)
        }
        #expect(first?.statusIndex == 0 && second?.statusIndex == 1)

        // An edit is read, changed and written in one go; a refused edit changes nothing.
        await #expect(throws: RefusedEdit.self) {
            try await store.modifyAgentLifecycle(realm: "acme", agentID: "a") { record, _ in
                record?.stage = .revoked
                throw RefusedEdit()
            }
        }
        #expect(try await store.lifecycleState(realm: "acme").agents["a"]?.stage == .intake)
        let kill = KillRecord(reason: "r", by: "admin", at: now)
        let edited = try await store.modifyAgentLifecycle(realm: "acme", agentID: "a") { record, _ in
            record?.stage = .vetting
            record?.kill = kill
            record?.outcomes.failure += 2
            record?.gates.append(GateRecord(from: .intake, to: .vetting, approver: "x", at: now, codeHash: nil,
                                            signature: "sig"))
        }
        #expect(edited?.stage == .vetting && edited?.kill == kill && edited?.outcomes.failure == 2)

        try await store.setOrgKill(realm: "acme", org: "finance", kill: kill)
        try await store.setOrgKill(realm: "acme", org: "ops", kill: kill)
        try await store.setOrgKill(realm: "acme", org: "ops", kill: nil)
        let later = Date().addingTimeInterval(3600)
        try await store.saveRevokedToken(realm: "acme", jti: "t1", expiresAt: later)
        try await store.saveRevokedToken(realm: "acme", jti: "t1", expiresAt: later)

        let state = try await store.lifecycleState(realm: "acme")
        #expect(state.agents["a"] == edited)
        #expect(state.agents.count == 2)
        #expect(state.orgKills == ["finance": kill])
        #expect(state.revokedTokens.keys.sorted() == ["t1"])

        let passport = PassportRecord(id: "asp_" + String(repeating: "0", count: 32), realm: "acme", agentID: "a",
                                      format: .mcps, issuedAt: now, expiresAt: now + 60, trustLevel: .l2, statusIndex: 0)
        try await store.savePassport(passport)
        #expect(try await store.passport(realm: "acme", id: passport.id) == passport)
        #expect(try await store.passport(realm: "acme", id: "asp_nope") == nil)

        // Everything goes with the realm.
        try await store.deleteRealm(named: "acme")
        try await store.save(RealmConfig(name: "acme"))
        #expect(try await store.lifecycleState(realm: "acme") == RealmLifecycleState())
        #expect(try await store.passport(realm: "acme", id: passport.id) == nil)
    }
}

/// An edit a conformance check refuses on purpose.
struct RefusedEdit: Error {}

import Foundation
import HeraldCore
@testable import HeraldDirectory
import HeraldTesting
import Testing

/// The LDAP directory against a real slapd (scripts/slapd-fixture.sh).
@Suite("LDAP directory against slapd")
struct LDAPDirectoryTests {
    @Test("levels: direct, nested three deep, two groups, none, DN mapping, disabled, cycle", arguments: [true, false])
    func levels(memberOf: Bool) async throws {
        try await SlapdFixture.with(seed: LDAPSeed.ldif) { fixture in
            try await fixture.modify(LDAPSeed.closeCycle)
            let directory = try LDAPSeed.directory(fixture, settings: LDAPSeed.settings(fixture, memberOf: memberOf))
            defer { directory.shutdown() }

            #expect(LDAPSeed.level(try await directory.principal(id: "agent-l3")) == .l3)
            #expect(LDAPSeed.level(try await directory.principal(id: "agent-deep")) == .l4)
            #expect(LDAPSeed.level(try await directory.principal(id: "agent-two")) == .l3)
            #expect(LDAPSeed.level(try await directory.principal(id: "agent-none")) == .l0)
            #expect(LDAPSeed.level(try await directory.principal(id: "agent-mapped")) == .l4)
            #expect(LDAPSeed.level(try await directory.principal(id: "agent-mapped"), mappings: []) == .l0)
            #expect(try await directory.principal(id: "agent-disabled") == nil)
            #expect(LDAPSeed.level(try await directory.principal(id: "agent-cycle")) == .l1)
            #expect(try await directory.principal(id: "nobody") == nil)

            let deep = try #require(try await directory.agent(id: "agent-deep"))
            let l4 = try #require(deep.memberships.first { $0.name == "mcps-l4" })
            #expect(l4.path.map { LDAPDN.firstValue($0) } == ["team-c", "team-b", "team-a", "mcps-l4"])
            #expect(deep.principal.roles == ["mcps-l4"])
            #expect(deep.principal.org == "finance")
            #expect(deep.principal.codeHash?.hasPrefix("sha256:abab") == true)
            #expect(deep.dn == SlapdFixture.agentDN("agent-deep"))
            let cycle = try #require(try await directory.agent(id: "agent-cycle"))
            #expect(Set(cycle.memberships.map(\.name)) == ["cyc-a", "cyc-b", "mcps-l1"])

            let explained = try await directory.explain(id: "agent-disabled")
            #expect(explained.disabled && explained.dn == SlapdFixture.agentDN("agent-disabled"))
        }
    }

    @Test("an id such as *)(uid=* finds nothing but itself, and never another agent")
    func injection() async throws {
        try await SlapdFixture.with(seed: LDAPSeed.ldif) { fixture in
            let settings = LDAPSeed.settings(fixture)
            let directory = try LDAPSeed.directory(fixture, settings: settings)
            defer { directory.shutdown() }
            #expect(directory.userFilter(id: "*)(uid=*").contains("(uid=\\2a\\29\\28uid=\\2a)"))
            // The seed holds an entry whose uid is literally that string: it is the only match.
            let literal = try await directory.principal(id: "*)(uid=*")
            #expect(literal?.id == "*)(uid=*" && LDAPSeed.level(literal) == .l0)
            for id in ["*", "agent-*", "*)(|(uid=*", "agent-l3)(uid=*"] {
                #expect(try await directory.principal(id: id) == nil, "id \(id)")
                #expect(try await directory.checkPassword(LDAPSeed.password, agentID: id) == false, "id \(id)")
            }
        }
    }

    @Test("ldap_bind: the right password binds, a wrong or empty one does not; never logged")
    func passwordBind() async throws {
        try await SlapdFixture.with(seed: LDAPSeed.ldif) { fixture in
            let capture = LogCapture()
            let settings = LDAPSeed.settings(fixture)
            let directory = try LDAPSeed.directory(fixture, settings: settings, logger: capture.logger())
            defer { directory.shutdown() }
            #expect(try await directory.checkPassword(LDAPSeed.password, agentID: "agent-l3"))
            #expect(try await directory.checkPassword("wrong-password-0123456", agentID: "agent-l3") == false)
            #expect(try await directory.checkPassword("", agentID: "agent-l3") == false)
            #expect(try await directory.checkPassword(LDAPSeed.password, agentID: "agent-disabled") == false)
            #expect(try await directory.checkPassword(LDAPSeed.password, agentID: "nobody") == false)
            // The service account still searches as itself afterwards.
            #expect(LDAPSeed.level(try await directory.principal(id: "agent-two")) == .l3)
            try await fixture.stop()
            _ = try? await directory.checkPassword(LDAPSeed.password, agentID: "agent-none")
            #expect(!capture.all.isEmpty)
            #expect(!capture.contains(LDAPSeed.password))
            #expect(!capture.contains(fixture.bindPassword))
        }
    }

    @Test("a cold lookup costs at most 3 round trips; a warm one none")
    func roundTrips() async throws {
        try await SlapdFixture.with(seed: LDAPSeed.ldif) { fixture in
            for memberOf in [true, false] {
                let directory = try LDAPSeed.directory(fixture, settings: LDAPSeed.settings(fixture, memberOf: memberOf))
                defer { directory.shutdown() }
                _ = try await directory.principal(id: "agent-none")  // opens and binds a pooled connection
                directory.invalidate()
                let before = directory.statistics.roundTrips.load(ordering: .relaxed)
                #expect(LDAPSeed.level(try await directory.principal(id: "agent-deep")) == .l4)
                let cold = directory.statistics.roundTrips.load(ordering: .relaxed) - before
                #expect(cold == (memberOf ? 2 : 3), "memberOf \(memberOf): \(cold) round trips")
                #expect(LDAPSeed.level(try await directory.principal(id: "agent-l3")) == .l3)  // group tree cached
                let second = directory.statistics.roundTrips.load(ordering: .relaxed) - before - cold
                #expect(second == (memberOf ? 1 : 2))
                let warm = directory.statistics.roundTrips.load(ordering: .relaxed)
                _ = try await directory.principal(id: "agent-deep")
                #expect(directory.statistics.roundTrips.load(ordering: .relaxed) == warm)
            }
        }
    }

    @Test("concurrent cache misses for one agent share one lookup")
    func coalescing() async throws {
        try await SlapdFixture.with(seed: LDAPSeed.ldif) { fixture in
            let directory = try LDAPSeed.directory(fixture, settings: LDAPSeed.settings(fixture))
            defer { directory.shutdown() }
            _ = try await directory.principal(id: "agent-none")  // a bound connection and the group tree
            let before = directory.statistics.roundTrips.load(ordering: .relaxed)
            let levels = try await withThrowingTaskGroup(of: TrustLevel?.self) { group in
                for _ in 0..<20 { group.addTask { LDAPSeed.level(try await directory.principal(id: "agent-deep")) } }
                return try await group.reduce(into: [TrustLevel?]()) { $0.append($1) }
            }
            #expect(levels == Array(repeating: .l4, count: 20))
            #expect(directory.statistics.roundTrips.load(ordering: .relaxed) - before == 1)
        }
    }

    @Test("moving an agent from L2 to L4 shows after cache_ttl (live) and after a sync (sync); removal too")
    func moves() async throws {
        try await SlapdFixture.with(seed: LDAPSeed.ldif) { fixture in
            let clock = ManualClock()
            let live = try LDAPSeed.directory(fixture, settings: LDAPSeed.settings(fixture, cacheTTL: 30), clock: clock)
            let synced = try LDAPSeed.directory(fixture, settings: LDAPSeed.settings(fixture, mode: .sync), clock: clock)
            defer { live.shutdown(); synced.shutdown() }
            #expect(LDAPSeed.level(try await live.principal(id: "agent-mover")) == .l2)
            #expect(LDAPSeed.level(try await synced.principal(id: "agent-mover")) == .l2)

            try await fixture.modify(Self.move("agent-mover", from: "mcps-l2", to: "mcps-l4"))
            #expect(LDAPSeed.level(try await live.principal(id: "agent-mover")) == .l2)  // cached
            #expect(LDAPSeed.level(try await synced.principal(id: "agent-mover")) == .l2)  // not synced yet
            clock.advance(by: 31)
            #expect(LDAPSeed.level(try await live.principal(id: "agent-mover")) == .l4)
            try await synced.sync()
            #expect(LDAPSeed.level(try await synced.principal(id: "agent-mover")) == .l4)

            try await fixture.modify(Self.move("agent-mover", from: "mcps-l4", to: nil))
            clock.advance(by: 31)
            #expect(LDAPSeed.level(try await live.principal(id: "agent-mover")) == .l0)
            try await synced.sync()
            #expect(LDAPSeed.level(try await synced.principal(id: "agent-mover")) == .l0)
        }
    }

    static func move(_ id: String, from: String, to: String?) -> String { LDAPFixtures.move(id, from: from, to: to) }
}

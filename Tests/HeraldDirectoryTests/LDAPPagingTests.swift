import Foundation
import HeraldCore
@testable import HeraldDirectory
import HeraldTesting
import Testing

@Suite("LDAP paging against slapd")
struct LDAPPagingTests {
    static let count = 2000

    /// 2000 agents, all members of one 2000-member group nested in mcps-l2.
    static var ldif: String {
        var text = ""
        for index in 0..<count { text += SlapdFixture.agentLDIF(String(format: "bulk-%04d", index)) }
        text += SlapdFixture.groupLDIF("bulk-all", members: (0..<count).map {
            SlapdFixture.agentDN(String(format: "bulk-%04d", $0))
        })
        text += SlapdFixture.groupLDIF("mcps-l2", members: [SlapdFixture.groupDN("bulk-all")])
        return text
    }

    @Test("2000 agents and a 2000-member group resolve with a server size limit of 500")
    func twoThousand() async throws {
        try await SlapdFixture.with(seed: Self.ldif) { fixture in
            // The limit is real: an unpaged search stops at 500.
            let plain = try LDAPConnection(options: LDAPConnectionOptions(url: fixture.url), statistics: LDAPStatistics())
            try plain.bind(dn: SlapdFixture.bindDN, password: fixture.bindPassword)
            let limited = #expect(throws: LDAPError.self) {
                _ = try plain.search(base: SlapdFixture.agentsDN, scope: .sub, filter: "(objectClass=inetOrgPerson)",
                                     attributes: ["uid"], pageSize: nil)
            }
            #expect(limited?.code == LDAPError.Code.sizeLimitExceeded)
            let paged = try plain.search(base: SlapdFixture.agentsDN, scope: .sub, filter: "(objectClass=inetOrgPerson)",
                                         attributes: ["uid"], pageSize: 300)
            #expect(paged.count == Self.count)
            plain.close()

            for memberOf in [false, true] {
                // Without memberOf, membership comes from the group's 2000-value member list.
                let settings = LDAPSeed.settings(fixture, mode: .sync, memberOf: memberOf)
                let directory = try LDAPSeed.directory(fixture, settings: settings)
                defer { directory.shutdown() }
                let report = try await directory.sync()
                #expect(report.agents == Self.count)
                #expect(report.roundTrips >= Self.count / 500)
                var levels: [TrustLevel: Int] = [:]
                for index in 0..<Self.count {
                    let principal = try await directory.principal(id: String(format: "bulk-%04d", index))
                    levels[LDAPSeed.level(principal) ?? .l0, default: 0] += 1
                }
                #expect(levels == [.l2: Self.count], "memberOf \(memberOf)")
            }

            let live = try LDAPSeed.directory(fixture, settings: LDAPSeed.settings(fixture))
            defer { live.shutdown() }
            let last = try #require(try await live.agent(id: "bulk-1999"))
            #expect(LDAPSeed.level(last.principal) == .l2)
            #expect(last.memberships.first { $0.name == "mcps-l2" }?.path.map { LDAPDN.firstValue($0) } == ["bulk-all", "mcps-l2"])
        }
    }
}

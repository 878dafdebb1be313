import Foundation
import HeraldCore
@testable import HeraldDirectory
import HeraldTesting
import Logging

/// The seed most LDAP tests share: agents at each level, directly, nested three deep, in two
/// level groups, in none, in a DN-mapped group, disabled, and in a group cycle.
enum LDAPSeed {
    static let password = "agent-password-0123456789"

    static var ldif: String {
        typealias F = SlapdFixture
        var text = ""
        for id in ["agent-l3", "agent-deep", "agent-two", "agent-none", "agent-mapped", "agent-cycle", "agent-mover"] {
            text += F.agentLDIF(id, password: password, extra: ["ou: finance", "description: sha256:" + String(repeating: "ab", count: 32)])
        }
        text += F.agentLDIF("agent-disabled", password: password, extra: ["employeeType: disabled"])
        text += F.agentLDIF("*)(uid=*", password: password)
        // Innermost groups first: the memberof overlay writes memberOf only for members that exist.
        text += F.groupLDIF("team-c", members: [F.agentDN("agent-deep")])
        text += F.groupLDIF("team-b", members: [F.groupDN("team-c")])
        text += F.groupLDIF("team-a", members: [F.groupDN("team-b")])
        text += F.groupLDIF("mcps-l4", members: [F.groupDN("team-a"), F.agentDN("agent-disabled")])
        text += F.groupLDIF("mcps-l3", members: [F.agentDN("agent-l3"), F.agentDN("agent-two")])
        text += F.groupLDIF("mcps-l2", members: [F.agentDN("agent-two"), F.agentDN("agent-mover")])
        text += F.groupLDIF("treasury", members: [F.agentDN("agent-mapped")])
        text += F.groupLDIF("cyc-a", members: [F.agentDN("agent-cycle")])
        text += F.groupLDIF("cyc-b", members: [F.groupDN("cyc-a")])
        text += F.groupLDIF("mcps-l1", members: [F.groupDN("cyc-b")])
        return text
    }

    /// Closes the cycle: cyc-a ⊂ cyc-b ⊂ cyc-a.
    static let closeCycle = """
        dn: cn=cyc-a,ou=groups,dc=acme,dc=test
        changetype: modify
        add: member
        member: cn=cyc-b,ou=groups,dc=acme,dc=test

        """

    static let mappings = [RoleMapping(id: "rm-1", group: "cn=treasury,ou=groups,dc=acme,dc=test", role: "mcps-l4")]

    static func settings(_ fixture: SlapdFixture, mode: LDAPSettings.Mode = .live, memberOf: Bool = true,
                         onUnavailable: LDAPSettings.OnUnavailable = .failClosed, cacheTTL: Int = 30,
                         maxStale: Int = 300, url: String? = nil, startTLS: Bool = false,
                         caFile: String? = nil) -> LDAPSettings {
        LDAPSettings(url: url ?? fixture.url, bindDN: SlapdFixture.bindDN, bindPasswordFile: fixture.bindPasswordFile,
                     startTLS: startTLS, caFile: caFile,
                     users: .init(baseDN: SlapdFixture.agentsDN, orgAttribute: "ou", codeHashAttribute: "description",
                                  disabledFilter: "(employeeType=disabled)"),
                     groups: .init(baseDN: SlapdFixture.groupsDN, memberOfAttribute: memberOf ? "memberOf" : nil),
                     mode: mode, cacheTTLSeconds: cacheTTL, negativeCacheTTLSeconds: 10, onUnavailable: onUnavailable,
                     maxStaleSeconds: maxStale, syncPeriodSeconds: 60, timeoutSeconds: 3)
    }

    static func directory(_ fixture: SlapdFixture, settings: LDAPSettings, clock: any HeraldClock = ManualClock(),
                          logger: Logger = Logger(label: "test")) throws -> LDAPDirectory {
        LDAPDirectory(settings: settings, bindPassword: try LDAPDirectory.bindPassword(for: settings), clock: clock,
                      logger: logger)
    }

    /// The level the realm gives `principal` with `mappings`.
    static func level(_ principal: Principal?, mappings: [RoleMapping] = mappings) -> TrustLevel? {
        principal.map { RoleMapper.level(of: RoleMapper(mappings: mappings).effectiveRoles(of: $0)) }
    }
}

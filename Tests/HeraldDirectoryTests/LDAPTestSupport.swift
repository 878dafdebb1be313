import Foundation
import HeraldCore
@testable import HeraldDirectory
import HeraldTesting
import Logging

/// The seed most LDAP tests share: agents at each level, directly, nested three deep, in two
/// level groups, in none, in a DN-mapped group, disabled, and in a group cycle.
enum LDAPSeed {
    static let password = LDAPFixtures.password
    static var ldif: String { LDAPFixtures.seed(literalInjectionEntry: true) }
    static let closeCycle = LDAPFixtures.closeCycle

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

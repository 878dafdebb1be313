import HeraldCore
import Testing

@Suite("Role mapping")
struct RoleMapperTests {
    let mapper = RoleMapper(mappings: [
        RoleMapping(group: "payment-bots", role: "mcps-l3"),
        RoleMapping(group: "cn=Treasury, ou=groups,dc=acme,dc=test", role: "mcps-l4"),
        RoleMapping(group: "auditors", role: "auditor"),
    ])

    @Test("no role is L0")
    func noRole() {
        let roles = mapper.effectiveRoles(of: Principal(id: "a"))
        #expect(roles.isEmpty)
        #expect(RoleMapper.level(of: roles) == .l0)
    }

    @Test("the highest level role wins, direct or through a group")
    func highestWins() {
        let principal = Principal(id: "a", roles: ["mcps-l2", "mcps-l1"], groups: ["payment-bots"])
        let roles = mapper.effectiveRoles(of: principal)
        #expect(roles == ["mcps-l1", "mcps-l2", "mcps-l3"])
        #expect(RoleMapper.level(of: roles) == .l3)
    }

    @Test("a DN mapping matches regardless of case and spacing")
    func dnMapping() {
        let principal = Principal(id: "a", groups: ["CN=treasury,OU=Groups, DC=acme, DC=test"])
        #expect(RoleMapper.level(of: mapper.effectiveRoles(of: principal)) == .l4)
    }

    @Test("roles that are not level roles do not raise the level")
    func otherRoles() {
        let roles = mapper.effectiveRoles(of: Principal(id: "a", roles: ["mcps-l9", "mcps-lx", "admin"], groups: ["auditors"]))
        #expect(roles.contains("auditor"))
        #expect(RoleMapper.level(of: roles) == .l0)
    }

    @Test("level role parsing", arguments: [("mcps-l0", TrustLevel.l0), ("mcps-l4", .l4)])
    func parse(role: String, level: TrustLevel) {
        #expect(TrustLevel(role: role) == level)
        #expect(level.role == role)
    }

    @Test("malformed level roles", arguments: ["mcps-l5", "mcps-l", "mcps-l10", "MCPS-L2", "mcps-l-1"])
    func malformed(role: String) {
        #expect(TrustLevel(role: role) == nil)
    }
}

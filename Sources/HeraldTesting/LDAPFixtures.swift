/// Directory contents for LDAP tests (loaded into a ``SlapdFixture``) and realm files that
/// use them.
public enum LDAPFixtures {
    /// Every seeded agent's directory password.
    public static let password = "agent-password-0123456789"

    /// Agents at each level: `agent-l3` (in mcps-l3), `agent-deep` (team-c ⊂ team-b ⊂ team-a ⊂
    /// mcps-l4), `agent-two` (mcps-l2 and mcps-l3), `agent-none`, `agent-mapped` (in treasury,
    /// which realms map by DN), `agent-cycle` (cyc-a ⊂ cyc-b ⊂ mcps-l1; ``closeCycle`` makes
    /// cyc-b ⊂ cyc-a too), `agent-mover` (mcps-l2), `agent-disabled` (mcps-l4, employeeType
    /// disabled). With `literalInjectionEntry`, also an entry whose uid is `*)(uid=*`.
    public static func seed(literalInjectionEntry: Bool = false) -> String {
        typealias F = SlapdFixture
        var text = ""
        for id in ["agent-l3", "agent-deep", "agent-two", "agent-none", "agent-mapped", "agent-cycle", "agent-mover"] {
            text += F.agentLDIF(id, password: password,
                                extra: ["ou: finance", "description: sha256:" + String(repeating: "ab", count: 32)])
        }
        text += F.agentLDIF("agent-disabled", password: password, extra: ["employeeType: disabled"])
        if literalInjectionEntry { text += F.agentLDIF("*)(uid=*", password: password) }
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
    public static let closeCycle = """
        dn: cn=cyc-a,ou=groups,dc=acme,dc=test
        changetype: modify
        add: member
        member: cn=cyc-b,ou=groups,dc=acme,dc=test

        """

    /// LDIF moving agent `id` out of group `from` and (when given) into group `to`.
    public static func move(_ id: String, from: String, to: String?) -> String {
        var ldif = """
            dn: \(SlapdFixture.groupDN(from))
            changetype: modify
            delete: member
            member: \(SlapdFixture.agentDN(id))


            """
        if let to {
            ldif += """
                dn: \(SlapdFixture.groupDN(to))
                changetype: modify
                add: member
                member: \(SlapdFixture.agentDN(id))


                """
        }
        return ldif
    }

    /// A realm file whose directory is `fixture`'s LDAP server: treasury (by DN) maps to
    /// mcps-l4; `agent_bind` on; registered clients `l3-bot` (secret), `deep-bot` (ldap_bind),
    /// `disabled-bot` (secret) and `mover-bot` (ldap_bind).
    /// `ldapKeys` are more `directory.ldap` lines, e.g. `["cache_ttl: 30s"]`.
    public static func realm(_ fixture: SlapdFixture, name: String = "corp", ldapKeys: [String] = [],
                             clientSecret: String = RealmFixtures.botSecret) -> String {
        let more = ldapKeys.map { "\n    " + $0 }.joined()
        return """
        realm: \(name)
        role_mappings:
          - {group: "cn=treasury,ou=groups,dc=acme,dc=test", role: mcps-l4}
        clients:
          - {client_id: l3-bot, subject: agent-l3, auth: client_secret_basic, secret: "\(clientSecret)"}
          - {client_id: deep-bot, subject: agent-deep, auth: ldap_bind}
          - {client_id: disabled-bot, subject: agent-disabled, auth: client_secret_basic, secret: "\(clientSecret)"}
          - {client_id: mover-bot, subject: agent-mover, auth: ldap_bind}
        directory:
          ldap:
            url: "\(fixture.url)"
            bind_dn: "\(SlapdFixture.bindDN)"
            bind_password_file: "\(fixture.bindPasswordFile)"
            users: {base_dn: "\(SlapdFixture.agentsDN)", filter: "(objectClass=inetOrgPerson)", id_attribute: uid,
                    name_attribute: cn, org_attribute: ou, code_hash_attribute: description,
                    disabled_filter: "(employeeType=disabled)"}
            groups: {base_dn: "\(SlapdFixture.groupsDN)", object_classes: [groupOfNames], membership_attribute: member,
                     member_of_attribute: memberOf, nested: true}
            agent_bind: true
            timeout: 3s\(more)
        """
    }
}

import Foundation
import HeraldAPI
import HeraldCore
import HeraldTesting
import Testing

@Suite("Realm files: directory.ldap")
struct LDAPRealmFileTests {
    let loader = RealmFileLoader(environment: ["LDAP_PW": "from-the-environment"], checkJWKS: { _ in })
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func issues(_ text: String, base: String = "/nonexistent") -> [String] {
        loader.issues(in: text, baseDirectory: base).map(\.description)
    }

    static let minimal = """
        realm: corp
        directory:
          ldap:
            url: ldap://127.0.0.1:3389
            bind_dn: "uid=herald,ou=services,dc=acme,dc=test"
            bind_password_env: LDAP_PW
            users: {base_dn: "ou=agents,dc=acme,dc=test"}
        """

    @Test("the LDAP demo realm validates, with every key stored and relative paths made absolute")
    func demo() throws {
        let realms = try loader.loadDirectory(Self.repository.appendingPathComponent("realms/ldap").path)
        let config = try #require(realms.first?.config)
        #expect(config.name == "acme-ldap")
        let ldap = try #require(config.ldap)
        #expect(ldap.url == "ldap://127.0.0.1:3389")
        #expect(ldap.bindPasswordFile == Self.repository.appendingPathComponent("realms/ldap/secrets/ldap-bind").path)
        #expect(ldap.users.disabledFilter == "(employeeType=disabled)")
        #expect(ldap.groups?.memberOfAttribute == "memberOf" && ldap.groups?.nested == true)
        #expect(ldap.groups?.filter == "(objectClass=groupOfNames)")
        #expect(ldap.agentBind && ldap.mode == .live && ldap.cacheTTLSeconds == 30)
        #expect(config.clients.map(\.auth) == [.ldapBind, .clientSecretBasic])
        #expect(config.roleMappings.first?.group == "cn=treasury,ou=groups,dc=acme,dc=test")
    }

    @Test("export and import reproduce the LDAP settings; no password is exported")
    func roundTrip() throws {
        let text = Self.minimal.replacingOccurrences(of: "users: {base_dn: \"ou=agents,dc=acme,dc=test\"}", with: """
            users: {base_dn: "ou=agents,dc=acme,dc=test", scope: one, filter: "objectClass=person", org_attribute: ou,
                        disabled_filter: "(pwdAccountLockedTime=*)"}
                groups: {base_dn: "ou=groups,dc=acme,dc=test", object_classes: [groupOfNames, groupOfUniqueNames],
                         membership_attribute: uniqueMember, nested: false}
                mode: sync
                sync_period: 10m
                on_unavailable: serve_stale
                max_stale: 5m
                vendor: ad
            """)
        let loaded = try loader.load(text: text, file: "r.yaml", baseDirectory: "/nonexistent")
        let ldap = try #require(loaded.config.ldap)
        #expect(ldap.users.filter == "(objectClass=person)" && ldap.users.scope == .one)
        #expect(ldap.groups?.filter == "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))")
        #expect(ldap.mode == .sync && ldap.syncPeriodSeconds == 600 && ldap.maxStaleSeconds == 300 && ldap.vendor == .ad)
        let exported = try RealmDocument.yaml(loaded.config)
        #expect(!exported.contains("from-the-environment"))
        let again = try loader.load(text: exported, file: "export.yaml", baseDirectory: "/nonexistent")
        #expect(again.config.ldap == loaded.config.ldap)
        // Older stored realms (no `ldap` member) still decode.
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(loaded.config)) as? [String: Any] ?? [:]
        object["ldap"] = nil
        let old = try JSONDecoder().decode(RealmConfig.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(old.ldap == nil)
    }

    @Test("mistakes are reported with their key path")
    func mistakes() {
        let cases: [(String, String, String)] = [
            ("bind_password_env: LDAP_PW", "bind_passwd_env: LDAP_PW", "did you mean bind_password_env?"),
            ("url: ldap://127.0.0.1:3389", "url: http://x", "directory.ldap.url"),
            ("url: ldap://127.0.0.1:3389", "url: ldaps://x\n    start_tls: true", "ldaps:// is TLS already"),
            ("bind_password_env: LDAP_PW", "bind_password_env: NOPE", "NOPE is not set"),
            ("bind_password_env: LDAP_PW", "bind_password_file: secrets/none", "cannot read /nonexistent/secrets/none"),
            ("users: {base_dn: \"ou=agents,dc=acme,dc=test\"}", "users: {filter: \"(uid=*)\"}", "users needs base_dn"),
            ("users: {base_dn: \"ou=agents,dc=acme,dc=test\"}",
             "users: {base_dn: x, disabled_filter: \"(&(a=b)\"}", "parentheses do not balance"),
            ("users: {base_dn: \"ou=agents,dc=acme,dc=test\"}",
             "users: {base_dn: x}\n    groups: {base_dn: y, membership_attribute: memberUid, nested: true}", "cannot nest"),
            ("users: {base_dn: \"ou=agents,dc=acme,dc=test\"}", "users: {base_dn: x}\n    on_unavailable: serve_stal",
             "did you mean serve_stale?"),
            ("users: {base_dn: \"ou=agents,dc=acme,dc=test\"}", "users: {base_dn: x}\n    max_stale: 5m",
             "only with on_unavailable: serve_stale"),
            ("realm: corp", "realm: corp\nclients:\n  - {client_id: c, subject: s, auth: ldap_bind, secret: \"0123456789abcdefgh\"}",
             "use the agent's directory password"),
            ("directory:", "directory:\n  static: {agents: []}", "give static or ldap, not both"),
        ]
        for (from, to, expected) in cases {
            let found = issues(Self.minimal.replacingOccurrences(of: from, with: to))
            #expect(found.contains { $0.contains(expected) }, "\(to): \(found)")
        }
        let noLDAP = issues("realm: corp\nclients:\n  - {client_id: c, subject: s, auth: ldap_bind}\n")
        #expect(noLDAP.contains { $0.contains("ldap_bind needs directory.ldap") }, "\(noLDAP)")
    }

    @Test("a client of an LDAP realm may name any subject (the directory is asked at token time)")
    func subjects() throws {
        let text = Self.minimal + "\nclients:\n  - {client_id: c, subject: agent-anything, auth: ldap_bind}\n"
        let loaded = try loader.load(text: text, file: "r.yaml", baseDirectory: "/nonexistent")
        #expect(loaded.config.clients.first?.subject == "agent-anything")
    }
}

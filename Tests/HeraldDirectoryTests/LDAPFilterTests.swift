import HeraldDirectory
import Testing

@Suite("LDAP filters and DNs")
struct LDAPFilterTests {
    @Test("RFC 4515 escaping turns an injection attempt into a literal value")
    func escaping() {
        #expect(LDAPFilter.escape("*)(uid=*") == "\\2a\\29\\28uid=\\2a")
        #expect(LDAPFilter.escape("a\\b\u{0}c") == "a\\5cb\\00c")
        #expect(LDAPFilter.equals("uid", "agent-x") == "(uid=agent-x)")
        #expect(LDAPFilter.escape("Zoë") == "Zoë")
    }

    @Test("AD's matching rule in chain")
    func inChain() {
        #expect(LDAPFilter.inChain("member", "cn=a\\,b,dc=x") == "(member:1.2.840.113556.1.4.1941:=cn=a\\5c,b,dc=x)")
    }

    @Test("DN helpers")
    func dn() {
        #expect(LDAPDN.firstValue("cn=mcps-l4,ou=groups,dc=acme,dc=test") == "mcps-l4")
        #expect(LDAPDN.firstValue("cn=a\\,b,dc=x") == "a,b")
        #expect(LDAPDN.normalize("CN=X, OU=Groups,dc=Acme") == "cn=x,ou=groups,dc=acme")
        #expect(LDAPDN.isWithin("cn=x,ou=groups,dc=acme", base: "OU=Groups, DC=acme"))
        #expect(!LDAPDN.isWithin("cn=x,ou=agroups,dc=acme", base: "ou=groups,dc=acme"))
    }
}

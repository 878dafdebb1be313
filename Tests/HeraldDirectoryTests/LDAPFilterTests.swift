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

    @Test("an RDN value with an escaped comma is one RDN: the entry is not under the base its text ends with")
    func escapedCommaIsNotASeparator() {
        // cn=evil\,ou=groups lives directly under dc=acme (found while fuzzing the DN helpers).
        #expect(!LDAPDN.isWithin("cn=evil\\,ou=groups,dc=acme", base: "ou=groups,dc=acme"))
        #expect(LDAPDN.isWithin("cn=evil\\,x,ou=groups,dc=acme", base: "OU=Groups , dc=acme"))
        #expect(LDAPDN.isWithin("cn=evil\\,ou=groups,dc=acme", base: "dc=acme"))
        #expect(LDAPDN.normalize("CN=A\\,B , OU=X") == "cn=a\\,b,ou=x")
    }

    @Test("DN helpers split at separators followed by a combining mark (one grapheme) and stay idempotent")
    func combiningMarkAfterSeparator() {
        // The fuzz input "= \u{742}\0= \u{742}": "=" + U+0742 is one Character, so splitting by
        // Character gave a different result on the second pass.
        let dn = "= \u{742}\u{0}= \u{742}"
        #expect(LDAPDN.normalize(LDAPDN.normalize(dn)) == LDAPDN.normalize(dn))
        #expect(LDAPDN.normalize("cn=x,\u{301}ou=g") == "cn=x,\u{301}ou=g")
        #expect(LDAPDN.firstValue("cn=\u{301}x,ou=g") == "\u{301}x")
        #expect(LDAPDN.isWithin("cn=x,\u{301}ou=g", base: "\u{301}ou=g"))
    }

    @Test("firstValue undoes RFC 4514 hex pairs and keeps escaped spaces")
    func firstValueEscapes() {
        #expect(LDAPDN.firstValue("cn=a\\2Cb,dc=x") == "a,b")
        #expect(LDAPDN.firstValue("cn=caf\\C3\\A9 , dc=x") == "café")
        #expect(LDAPDN.firstValue("cn=\\ padded\\ ,dc=x") == " padded ")
        #expect(LDAPDN.firstValue("cn=  two  words  ") == "two  words")
        #expect(LDAPDN.firstValue("cn=\tx,dc=y") == "\tx")  // only spaces are insignificant (fuzz input)
        #expect(LDAPDN.firstValue("no equals sign") == nil)
    }
}

import Foundation
import HeraldCore
@testable import HeraldServer
@testable import HeraldServices
import HeraldTesting
import Logging
import Testing

/// The claim checks and level mapping of upstream IdP tokens (after the signature), with a
/// fixed clock: each refusal's `error_description`.
@Suite("Upstream IdP claim mapping")
struct UpstreamClaimMappingTests {
    static let now = 1_800_000_000
    let clock = ManualClock(Date(timeIntervalSince1970: TimeInterval(now)))
    let keycloak = UpstreamIdP(issuer: "https://kc.example/realms/acme", jwksURI: "https://kc.example/certs",
                               audience: ["herald"], rolesClaim: "realm_access.roles",
                               roleMappings: [.init(upstream: "operators", level: .l3), .init(upstream: "staff", level: .l1)],
                               maxLevel: .l2, mayAct: ["orchestrator"])

    var verifier: UpstreamTokenVerifier {
        UpstreamTokenVerifier(clock: clock, logger: Logger(label: "test"))
    }

    /// The claims with `overrides` (a JSON object; null removes a claim) applied.
    func claims(_ overrides: String = "{}") -> [String: Any] {
        var claims: [String: Any] = ["iss": keycloak.issuer, "sub": "alice", "aud": ["herald", "account"],
                                     "exp": Self.now + 300, "iat": Self.now, "realm_access": ["roles": ["staff", "operators"]]]
        let changes = (try? JSONSerialization.jsonObject(with: Data(overrides.utf8))) as? [String: Any] ?? [:]
        for (name, value) in changes { claims[name] = value is NSNull ? nil : value }
        return claims
    }

    func description(_ claims: [String: Any], idp: UpstreamIdP? = nil) -> String? {
        do {
            _ = try verifier.check(claims, idp: idp ?? keycloak, kid: "k1")
            return nil
        } catch { return "\(error.code): \(error.description)" }
    }

    @Test("the highest mapped role wins and max_level caps it; sub, exp and may_act are read")
    func maps() throws {
        let subject = try verifier.check(claims(#"{"may_act": {"sub": "coder"}}"#), idp: keycloak, kid: "k1")
        #expect(subject.sub == "alice" && subject.level == .l2 && subject.roles == ["staff", "operators"])
        #expect(subject.expiresAt == Date(timeIntervalSince1970: TimeInterval(Self.now + 300)))
        #expect(subject.mayActSub == "coder" && subject.kid == "k1")
        let uncapped = UpstreamIdP(issuer: keycloak.issuer, audience: ["herald"], rolesClaim: "realm_access.roles",
                                   roleMappings: keycloak.roleMappings, mayAct: ["orchestrator"])
        #expect(try verifier.check(claims(), idp: uncapped, kid: "k1").level == .l3)
    }

    @Test("a scope string is split on spaces; a nested subject claim is read by its path; aud may be a string")
    func shapes() throws {
        let glewlwyd = UpstreamIdP(issuer: "https://g.example/api/oidc", audience: ["api.read"], subjectClaim: "ext.uid",
                                   rolesClaim: "scope", roleMappings: [.init(upstream: "api.write", level: .l2)],
                                   mayAct: ["orchestrator"])
        let subject = try verifier.check(["iss": glewlwyd.issuer, "aud": "api.read api.write", "exp": Self.now + 60,
                                          "ext": ["uid": "bot-7"], "scope": "api.read api.write"],
                                         idp: glewlwyd, kid: "k")
        #expect(subject.sub == "bot-7" && subject.level == .l2 && subject.roles == ["api.read", "api.write"])
    }

    @Test("each refusal says what was wrong", arguments: [
        (#"{"iss": "https://kc.example/realms/other"}"#, "subject_token: iss is not https://kc.example/realms/acme"),
        (#"{"exp": null}"#, "subject_token: exp is missing; a token from an IdP must expire"),
        (#"{"exp": "1800000300"}"#, "subject_token: exp must be a number of seconds, not a string"),
        (#"{"exp": true}"#, "subject_token: exp must be a number of seconds, not a boolean"),
        (#"{"exp": 1800000000}"#, "subject_token: the token expired at 2027-01-15T08:00:00Z (now 2027-01-15T08:00:00Z)"),
        (#"{"nbf": 1800000031}"#, "subject_token: the token is not valid before 2027-01-15T08:00:31Z (now 2027-01-15T08:00:00Z)"),
        (#"{"iat": 1800000600}"#, "subject_token: the token was issued in the future (iat 2027-01-15T08:10:00Z, now "
            + "2027-01-15T08:00:00Z); check the IdP's clock"),
        (#"{"aud": null}"#, "subject_token: aud is missing; upstream IdP https://kc.example/realms/acme must name herald"),
        (#"{"aud": ["account"]}"#, "subject_token: its audience (account) contains none of herald, the audience configured "
            + "for upstream IdP https://kc.example/realms/acme"),
        (#"{"aud": 7}"#, "subject_token: aud must be a string or an array of strings"),
        (#"{"sub": 12}"#, "subject_token: claim sub (subject_claim) is missing or not a string of 1–255 characters"),
        (#"{"sub": ""}"#, "subject_token: claim sub (subject_claim) is missing or not a string of 1–255 characters"),
        (#"{"realm_access": null}"#, "subject_token: the token has no claim realm_access.roles (roles_claim), so no role maps to a level"),
        (#"{"realm_access": {"roles": 5}}"#, "subject_token: claim realm_access.roles (roles_claim) must be a space-separated "
            + "string or an array of strings, not a number"),
        (#"{"realm_access": {"roles": ["staff", ["x"]]}}"#, "subject_token: claim realm_access.roles (roles_claim) must be a "
            + "space-separated string or an array of strings, not an array holding non-strings"),
        (#"{"realm_access": {"roles": ["offline_access"]}}"#, "subject_token: none of the values of realm_access.roles "
            + "(offline_access) is mapped to a level by the role_mappings of upstream IdP https://kc.example/realms/acme"),
        (#"{"realm_access": {"roles": []}}"#, "subject_token: none of the values of realm_access.roles (none) is mapped "
            + "to a level by the role_mappings of upstream IdP https://kc.example/realms/acme"),
    ])
    func refusals(_ overrides: String, expected: String) {
        #expect(description(claims(overrides)) == "invalid_grant: \(expected)")
    }

    @Test("leeway: nbf and iat up to 30 s ahead are accepted; exp needs only to be ahead")
    func leeway() {
        #expect(description(claims(#"{"exp": 1800000001, "nbf": 1800000030, "iat": 1800000030}"#)) == nil)
    }
}

import Foundation
import HeraldAPI
import HeraldCore
import HeraldTesting
import Testing

@Suite("Realm files: upstream_idps")
struct UpstreamIdPRealmFileTests {
    let loader = RealmFileLoader(environment: [:], checkJWKS: { _ in }, checkUpstreamJWKS: { json in
        if json.contains("\"d\"") { throw RealmCheckError(text: "the JWKS holds a private key") }
    })

    struct RealmCheckError: Error, CustomStringConvertible { let text: String; var description: String { text } }

    /// A realm with one agent and two clients, and `section` after them (line 9 onwards).
    func text(_ section: String) -> String {
        """
        realm: acme
        directory:
          static:
            agents: [{id: agent-orch, roles: [mcps-l3]}]
        clients:
          - {client_id: orchestrator, subject: agent-orch, auth: client_secret_basic, secret: "0123456789abcdef"}
          - {client_id: coder, subject: agent-orch, auth: client_secret_basic, secret: "0123456789abcdef"}

        """ + section
    }

    func load(_ section: String) throws -> RealmConfig {
        try loader.load(text: text(section), file: "r.yaml", baseDirectory: "/nonexistent").config
    }

    func issues(_ section: String) -> [String] {
        loader.issues(in: text(section)).map(\.description)
    }

    @Test("a Keycloak entry and an Entra entry are read with every key; subject_claim defaults to sub")
    func reads() throws {
        let idps = try #require(try load("""
            upstream_idps:
              - issuer: https://kc.acme.test/realms/acme
                jwks_uri: https://kc.acme.test/realms/acme/protocol/openid-connect/certs
                audience: herald
                roles_claim: realm_access.roles
                role_mappings: {agent-operators: mcps-l3, readers: mcps-l1}
                max_level: L2
                may_act: [orchestrator]
              - issuer: http://127.0.0.1:8081/tenant/v2.0
                jwks: {keys: [{kty: EC, crv: P-256, x: "AAAA", y: "BBBB"}]}
                audience: [api://herald, 00000000-0000-0000-0000-000000000001]
                subject_claim: oid
                roles_claim: roles
                role_mappings: {Agents.Operate: mcps-l4}
                may_act: [orchestrator, coder]
            """).upstreamIdPs)
        #expect(idps.count == 2)
        #expect(idps[0] == UpstreamIdP(
            issuer: "https://kc.acme.test/realms/acme",
            jwksURI: "https://kc.acme.test/realms/acme/protocol/openid-connect/certs", audience: ["herald"],
            rolesClaim: "realm_access.roles",
            roleMappings: [.init(upstream: "agent-operators", level: .l3), .init(upstream: "readers", level: .l1)],
            maxLevel: .l2, mayAct: ["orchestrator"]))
        #expect(idps[1].jwks?.contains("\"kty\":\"EC\"") == true && idps[1].jwksURI == nil)
        #expect(idps[1].audience == ["api://herald", "00000000-0000-0000-0000-000000000001"])
        #expect(idps[1].subjectClaim == "oid" && idps[1].mayAct == ["orchestrator", "coder"])
    }

    @Test("the highest mapped role wins, capped by max_level; no mapped role gives nil")
    func levels() {
        let idp = UpstreamIdP(issuer: "https://idp", audience: ["a"], rolesClaim: "roles",
                              roleMappings: [.init(upstream: "low", level: .l1), .init(upstream: "high", level: .l4)],
                              maxLevel: .l3, mayAct: ["orchestrator"])
        #expect(idp.level(for: ["low"]) == .l1)
        #expect(idp.level(for: ["low", "high", "other"]) == .l3)
        #expect(idp.level(for: ["other"]) == nil)
        #expect(idp.level(for: []) == nil)
    }

    @Test("every problem is reported with its line and key path, and says what to write")
    func problems() {
        let found = issues("""
            upstream_idps:
              - issuer: http://idp.example.com
                jwks_uri: https://idp.example.com/jwks
                jwks: {keys: []}
                audience: []
                roles_claim: "realm_access..roles"
                role_mappings: {admins: L3, users: mcps-l9}
                max_level: top
                may_act: [orchestrator, orchestrater]
                scopes: [a]
              - issuer: https://idp.example.com
                audience: herald
                roles_claim: groups
                role_mappings: {}
                may_act: []
              - {issuer: https://other.example.com}
            """)
        let expected = [
            "r.yaml:9:13: upstream_idps[0].issuer: 'http://idp.example.com' must use https (http is allowed only for localhost, 127.0.0.1 and [::1])",
            "r.yaml:17:5: upstream_idps[0].scopes: unknown key; valid: issuer, jwks_uri, jwks, audience, subject_claim, roles_claim, role_mappings, max_level, may_act",
            "r.yaml:11:11: upstream_idps[0].jwks: give jwks_uri or jwks, not both",
            "r.yaml:12:15: upstream_idps[0].audience: list at least one audience: what the IdP puts in aud (a client id or API URI)",
            "r.yaml:13:18: upstream_idps[0].roles_claim: 'realm_access..roles' is not valid: a dotted JSON path such as realm_access.roles, roles, groups or scope",
            "r.yaml:14:29: upstream_idps[0].role_mappings.admins: 'L3' is not a level role; write mcps-l0, mcps-l1, mcps-l2, mcps-l3 or mcps-l4",
            "r.yaml:14:40: upstream_idps[0].role_mappings.users: 'mcps-l9' is not a level role; write mcps-l0, mcps-l1, mcps-l2, mcps-l3 or mcps-l4",
            "r.yaml:15:16: upstream_idps[0].max_level: 'top' is not a level; write L0, L1, L2, L3 or L4",
            "r.yaml:16:29: upstream_idps[0].may_act[1]: no client orchestrater in clients (did you mean orchestrator?)",
            "r.yaml:18:5: upstream_idps[1]: needs jwks_uri (the IdP's key set URL) or jwks (its public keys inline)",
            "r.yaml:21:20: upstream_idps[1].role_mappings: map at least one upstream role or group to a level, e.g. {herald-agents: mcps-l2}",
            "r.yaml:22:14: upstream_idps[1].may_act: list the clients of this realm that may exchange this IdP's tokens, e.g. [orchestrator]",
            "r.yaml:23:5: upstream_idps[2]: an upstream IdP needs audience, roles_claim, role_mappings, may_act (and jwks_uri or jwks); see docs/connect-your-idp.md",
        ]
        for line in expected { #expect(found.contains(line), "missing: \(line)\nfound: \(found.joined(separator: "\n"))") }
        #expect(found.count == expected.count, "\(found.joined(separator: "\n"))")
    }

    @Test("an inline JWKS is checked by the loader's upstream check; a second entry for one issuer is refused")
    func jwksAndDuplicates() {
        let found = issues("""
            upstream_idps:
              - {issuer: https://a.example, jwks: {keys: [{kty: EC, d: "x"}]}, audience: h, roles_claim: roles,
                 role_mappings: {r: mcps-l1}, may_act: [coder]}
              - {issuer: https://a.example, jwks_uri: https://a.example/k, audience: h, roles_claim: roles,
                 role_mappings: {r: mcps-l1}, may_act: [coder]}
            """)
        #expect(found == [
            "r.yaml:9:39: upstream_idps[0].jwks: the JWKS holds a private key",
            "r.yaml:11:14: upstream_idps[1].issuer: upstream IdP https://a.example is listed twice",
        ])
    }

    @Test("an export writes the entry in the realm-file form")
    func export() throws {
        let config = try load("""
            upstream_idps:
              - issuer: https://login.example.com/t/v2.0
                jwks_uri: https://login.example.com/t/discovery/v2.0/keys
                audience: [api://herald]
                subject_claim: oid
                roles_claim: groups
                role_mappings: {g-1: mcps-l2}
                max_level: L3
                may_act: [coder]
            """)
        let exported = try #require(RealmDocument.object(config)["upstream_idps"] as? [[String: Any]])
        let data = try JSONSerialization.data(withJSONObject: exported, options: [.sortedKeys, .withoutEscapingSlashes])
        #expect(String(decoding: data, as: UTF8.self) == #"[{"audience":["api://herald"],"issuer":"https://login.example.com/t/v2.0","#
            + #""jwks_uri":"https://login.example.com/t/discovery/v2.0/keys","max_level":"L3","may_act":["coder"],"#
            + #""role_mappings":{"g-1":"mcps-l2"},"roles_claim":"groups","subject_claim":"oid"}]"#)
    }

    @Test("a private_key_jwt client may be authenticated by an upstream IdP's assertions instead of keys")
    func assertionClients() throws {
        let config = try loader.load(text: """
            realm: acme
            directory: {static: {agents: [{id: agent-w}]}}
            clients:
              - {client_id: workload, subject: agent-w, auth: private_key_jwt, assertion_idp: "https://kc.example/realms/a",
                 assertion_subject: system:serviceaccount:ci:builder}
            upstream_idps:
              - {issuer: "https://kc.example/realms/a", jwks_uri: "https://kc.example/certs", audience: herald,
                 roles_claim: roles, role_mappings: {r: mcps-l1}, may_act: [workload]}
            """, file: "r.yaml", baseDirectory: "/nonexistent").config
        #expect(config.clients[0].assertionIdP == "https://kc.example/realms/a")
        #expect(config.clients[0].assertionSubject == "system:serviceaccount:ci:builder")
        #expect(config.clients[0].jwks == nil)
        let exported = try #require((RealmDocument.object(config)["clients"] as? [[String: Any]])?.first)
        #expect(exported["assertion_idp"] as? String == "https://kc.example/realms/a")
        #expect(exported["assertion_subject"] as? String == "system:serviceaccount:ci:builder")
    }

    @Test("assertion_idp must name a configured IdP, comes with assertion_subject, and excludes keys and secrets")
    func assertionClientProblems() {
        func problems(_ client: String) -> [String] {
            do {
                _ = try loader.load(text: """
                    realm: acme
                    directory: {static: {agents: [{id: agent-w}]}}
                    clients:
                      - \(client)
                    upstream_idps:
                      - {issuer: "https://kc.example/realms/a", jwks_uri: "https://kc.example/certs", audience: herald,
                         roles_claim: roles, role_mappings: {r: mcps-l1}, may_act: [w]}
                    """, file: "r.yaml", baseDirectory: "/nonexistent")
                return []
            } catch let error as RealmFileError { return error.issues.map(\.description) } catch { return ["\(error)"] }
        }
        #expect(problems(#"{client_id: w, subject: agent-w, auth: private_key_jwt, assertion_idp: "https://kc.example/realms/b", assertion_subject: s}"#)
            == ["r.yaml:4:76: clients[0].assertion_idp: no upstream IdP https://kc.example/realms/b in upstream_idps "
                + "(did you mean https://kc.example/realms/a?)"])
        #expect(problems(#"{client_id: w, subject: agent-w, auth: private_key_jwt, assertion_idp: "https://kc.example/realms/a"}"#)
            == ["r.yaml:4:5: clients[0]: assertion_idp and assertion_subject go together: the issuer of one of "
                + "upstream_idps and the sub its assertions for this client carry"])
        #expect(problems(#"{client_id: w, subject: agent-w, auth: private_key_jwt, assertion_idp: "https://kc.example/realms/a", assertion_subject: s, jwks: {keys: []}}"#)
            == ["r.yaml:4:135: clients[0].jwks: a client authenticated by assertion_idp has no keys of its own (the IdP's sign); "
                + "remove it"])
        #expect(problems(#"{client_id: w, subject: agent-w, auth: client_secret_basic, secret: "0123456789abcdef", assertion_subject: s}"#)
            == ["r.yaml:4:112: clients[0].assertion_subject: only private_key_jwt clients authenticate with an IdP's "
                + "assertion; remove it"])
    }
}

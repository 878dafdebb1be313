import Foundation
import HeraldCore
import HeraldServer
import HeraldTesting
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Admin API")
struct AdminAPITests {
    static func level(_ client: any TestClientProtocol, clientID: String = "two-bot") async throws -> Int? {
        let secret = RealmFixtures.botSecret
        return try await client.execute(
            uri: "/realms/test/protocol/openid-connect/token", method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: "grant_type=client_credentials&client_id=\(clientID)&client_secret=\(secret)")) { response in
            let reply = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
            let token = reply?["access_token"] as? String ?? ""
            return (JWTParts.claims(token)["mcps"] as? [String: Any])?["trust_level"] as? Int
        }
    }

    @Test("a role mapping moves an agent from L2 to L4 on its very next token, and is audited")
    func mappingChangesNextToken() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            #expect(try await Self.level(client) == 2)
            let token = try await admin.token(client)
            let added = try await client.call(.post, "/admin/realms/test/role-mappings", token: token,
                                              body: #"{"group":"ops","role":"mcps-l4"}"#)
            #expect(added.status == 201)
            let id = try #require(added.object["id"] as? String)
            #expect(try await Self.level(client) == 4)
            let removed = try await client.call(.delete, "/admin/realms/test/role-mappings/\(id)", token: token)
            #expect(removed.status == 204)
            #expect(try await Self.level(client) == 2)

            let audit = try await client.call(.get, "/admin/realms/test/audit?type=admin.*", token: token)
            let types = (audit.object["entries"] as? [[String: Any]])?.compactMap { $0["type"] as? String }
            #expect(types == ["admin.mapping.added", "admin.mapping.removed"])
            let details = (audit.object["entries"] as? [[String: Any]])?.compactMap { $0["detail"] as? [String: String] }
            #expect(details?.last == ["id": id, "group": "ops", "role": "mcps-l4"])
            let issued = try await client.call(.get, "/admin/realms/test/audit?type=token.issued&client=two-bot", token: token)
            #expect((issued.object["entries"] as? [[String: Any]])?.count == 3)
            let actor = (audit.object["entries"] as? [[String: Any]])?.first?["actor"] as? String
            #expect(actor == "herald-admin")
        }
    }

    @Test("401 without a valid master token, 403 without the admin role")
    func authorization() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            #expect(try await client.call(.get, "/admin/realms", token: nil).status == 401)
            #expect(try await client.call(.get, "/admin/realms", token: "not.a.jwt").status == 401)
            // A perfectly valid token, but from another realm.
            let foreign = try await AdminTestClient.token(client, realm: "test", clientID: "zero-bot",
                                                          secret: RealmFixtures.botSecret)
            let refused = try await client.call(.get, "/admin/realms", token: foreign)
            #expect(refused.status == 401)
            #expect(refused.object["error"] as? String == "invalid_token")

            // A master-realm client without herald-admin.
            let token = try await admin.token(client)
            #expect(try await client.call(.post, "/admin/realms/master/agents", token: token,
                                          body: #"{"id":"auditor","roles":[]}"#).status == 201)
            let created = try await client.call(.post, "/admin/realms/master/clients", token: token,
                                                body: #"{"client_id":"auditor","subject":"auditor","auth":"client_secret_basic"}"#)
            #expect(created.status == 201)
            let secret = try #require(created.object["client_secret"] as? String)
            let reader = try await AdminTestClient.token(client, clientID: "auditor", secret: secret)
            let forbidden = try await client.call(.get, "/admin/realms", token: reader)
            #expect(forbidden.status == 403)
            #expect(try await client.call(.get, "/admin/realms", token: token).object["realms"] as? [String]
                    == ["master", "test"])
        }
    }

    @Test("invalid payloads are 400 with a clear message and change nothing", arguments: [
        ("POST", "/admin/realms/test/role-mappings", #"{"group":"ops"}"#, "role must be a non-empty string"),
        ("POST", "/admin/realms/test/role-mappings", "not json", "the body must be a JSON object"),
        ("POST", "/admin/realms/test/clients", #"{"client_id":"x","subject":"nobody","auth":"client_secret_basic"}"#,
         "no agent nobody"),
        ("POST", "/admin/realms/test/clients", #"{"client_id":"x","subject":"agent-two","auth":"client_secret_bassic"}"#,
         "did you mean client_secret_basic?"),
        ("PUT", "/admin/realms/test/levels", #"{"L2":{"tx_limit":-5}}"#, "levels.L2.tx_limit: -5 is outside"),
        ("POST", "/admin/realms/test/agents", #"{"id":"a b"}"#, "'a b' is not valid"),
        ("PUT", "/admin/realms/test", "realm: other\n", "declares realm other"),
    ])
    func invalidPayloads(method: String, path: String, body: String, message: String) async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            let token = try await admin.token(client)
            let before = try await client.call(.get, "/admin/realms/test", token: token).text
            let reply = try await client.call(HTTPRequest.Method(method)!, path, token: token, body: body)
            #expect(reply.status == 400)
            #expect(reply.object["error"] as? String == "invalid_request")
            #expect((reply.object["error_description"] as? String)?.contains(message) == true,
                    "\(reply.object["error_description"] ?? "")")
            #expect(try await client.call(.get, "/admin/realms/test", token: token).text == before)
            #expect(try await Self.level(client) == 2)
        }
    }

    @Test("export → import into a fresh data directory → export is identical, in JSON and YAML")
    func exportImportRoundTrip() async throws {
        let first = try await TestServer.start()
        defer { first.directory.remove() }
        let second = try await TestServer.start(realms: ["other.yaml": RealmFixtures.testRealm(name: "other")])
        defer { second.directory.remove() }
        for accept in ["application/json", "application/yaml"] {
            let exported = try await first.herald.application.test(.router) { client in
                let token = try await AdminTestClient(server: first).token(client)
                // Make the realm less trivial first: a mapping, a level override, a new client.
                _ = try await client.call(.post, "/admin/realms/test/role-mappings", token: token,
                                          body: #"{"group":"ops","role":"mcps-l3"}"#)
                _ = try await client.call(.put, "/admin/realms/test/levels", token: token, body: #"{"L1":{"label":"Probation"}}"#)
                return try await client.call(.get, "/admin/realms/test", token: token, headers: [.accept: accept]).text
            }
            let reexported = try await second.herald.application.test(.router) { client in
                let token = try await AdminTestClient(server: second).token(client)
                let imported = try await client.call(.put, "/admin/realms/test", token: token, body: exported,
                                                     headers: [.contentType: accept])
                #expect(imported.status == 200, "\(imported.text)")
                return try await client.call(.get, "/admin/realms/test", token: token, headers: [.accept: accept]).text
            }
            #expect(reexported == exported)
            #expect(exported.contains("Probation"))
        }
    }

    @Test("clients: the secret is returned once at creation and rotation, and only the newest works")
    func clientSecrets() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            let token = try await admin.token(client)
            let created = try await client.call(.post, "/admin/realms/test/clients", token: token,
                                                body: #"{"client_id":"new-bot","subject":"agent-two","auth":"client_secret_basic"}"#)
            let first = try #require(created.object["client_secret"] as? String)
            let listed = try await client.call(.get, "/admin/realms/test/clients/new-bot", token: token)
            #expect(!listed.text.contains(first) && !listed.text.contains("secret_digest") && !listed.text.contains("\"client_secret\""))
            #expect(try await AdminTestClient.token(client, realm: "test", clientID: "new-bot", secret: first) != "")
            let rotated = try await client.call(.post, "/admin/realms/test/clients/new-bot/secret", token: token)
            let second = try #require(rotated.object["client_secret"] as? String)
            #expect(try await AdminTestClient.token(client, realm: "test", clientID: "new-bot", secret: first) == "")
            #expect(try await AdminTestClient.token(client, realm: "test", clientID: "new-bot", secret: second) != "")
            #expect(try await client.call(.delete, "/admin/realms/test/agents/agent-two", token: token).status == 409)
            #expect(try await client.call(.delete, "/admin/realms/test/clients/new-bot", token: token).status == 204)
            #expect(try await AdminTestClient.token(client, realm: "test", clientID: "new-bot", secret: second) == "")
        }
    }

    @Test("keys: prepare publishes, activate signs, revoke removes")
    func keys() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            let token = try await admin.token(client)
            let prepared = try await client.call(.post, "/admin/realms/test/keys", token: token, body: "{}")
            #expect(prepared.status == 201)
            let kid = try #require(prepared.object["kid"] as? String)
            #expect(prepared.object["state"] as? String == "prepared")
            let jwks = try await client.call(.get, "/realms/test/.well-known/agent-trust-keys", token: nil)
            #expect(jwks.text.contains(kid))
            let activated = try await client.call(.post, "/admin/realms/test/keys/\(kid)/activate", token: token)
            #expect(activated.object["state"] as? String == "active")
            let listed = try await client.call(.get, "/admin/realms/test/keys", token: token)
            let states = (listed.object["keys"] as? [[String: Any]])?.compactMap { $0["state"] as? String }
            #expect(states?.sorted() == ["active", "retired"])
            #expect(try await client.call(.post, "/admin/realms/test/keys/nope/activate", token: token).status == 404)
            let again = try await client.call(.post, "/admin/realms/test/keys/\(kid)/activate", token: token)
            #expect(again.status == 409)
            #expect((again.object["error_description"] as? String)?.contains("is active; it must be prepared") == true)
            let since = try await client.call(.get, "/admin/realms/test/audit?from=2000-01-01T00:00:00.250Z", token: token)
            #expect(since.status == 200)
        }
    }
}

@Suite("Realm import guards")
struct RealmImportGuardTests {
    @Test("a realm file may not declare the master realm")
    func masterFileRefused() async throws {
        await #expect(throws: HeraldError.self) {
            _ = try await TestServer.start(realms: ["master.yaml": RealmFixtures.testRealm(name: "master")])
        }
    }

    @Test("a denied token request is audited under the client it claimed to be")
    func deniedClientRecorded() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            #expect(try await AdminTestClient.token(client, realm: "test", clientID: "zero-bot", secret: "wrong-secret") == "")
            let token = try await admin.token(client)
            let denied = try await client.call(.get, "/admin/realms/test/audit?type=token.denied&client=zero-bot", token: token)
            let entries = denied.object["entries"] as? [[String: Any]]
            #expect(entries?.count == 1)
            #expect((entries?.first?["reason"] as? String)?.contains("wrong secret") == true)
        }
    }
}

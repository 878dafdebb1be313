import Foundation
import HeraldServer
import HeraldTesting
import Hummingbird
import HummingbirdTesting
import Testing

/// Admin request bodies schemathesis (docs/openapi.yaml) found mishandled: a malformed body
/// silently taken as empty, a JSON null stored as the text "null", and JSON strings with
/// characters YAML refuses answered as "not valid YAML" at a position in Herald's own
/// rendering of the realm.
@Suite("Admin bodies")
struct AdminBodyTests {
    @Test("preparing a key: a malformed body or a non-string alg is 400, not the default algorithm")
    func prepareKeyBody() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            let token = try await admin.token(client)
            for (body, message) in [(#"{"alg": {}}"#, "alg must be a non-empty string"),
                                    (#"{"alg": ""}"#, "alg must be a non-empty string"),
                                    ("not json", "the body must be a JSON object (or empty)"),
                                    ("[]", "the body must be a JSON object (or empty)")] {
                let reply = try await client.call(.post, "/admin/realms/test/keys", token: token, body: body)
                #expect(reply.status == 400, "\(body)")
                #expect(reply.object["error_description"] as? String == message, "\(body)")
            }
            let keys = try await client.call(.get, "/admin/realms/test/keys", token: token)
            #expect((keys.object["keys"] as? [[String: Any]])?.count == 1, "a refused request prepared a key")
            #expect(try await client.call(.post, "/admin/realms/test/keys", token: token).status == 201)
            #expect(try await client.call(.post, "/admin/realms/test/keys", token: token, body: #"{"alg":"ES256"}"#).status == 201)
        }
    }

    @Test("a JSON null for a string cell is refused, not stored as the text \"null\"")
    func nullIsNotAString() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            let token = try await admin.token(client)
            let reply = try await client.call(.put, "/admin/realms/test/levels", token: token, body: #"{"L1": {"label": null}}"#)
            #expect(reply.status == 400)
            #expect(reply.object["error_description"] as? String == "levels.L1.label: expected a string")
            let levels = try await client.call(.get, "/admin/realms/test/levels", token: token)
            #expect((levels.object["L1"] as? [String: Any])?["label"] as? String == "Restricted")
        }
    }

    @Test("JSON strings with characters YAML refuses or folds are stored as sent, and export and import again")
    func yamlUnsafeCharactersRoundTrip() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        let label = "a\u{84}b\u{85}c\u{2028}d\u{9F}e\u{7F}f"
        let group = "ops\u{94}team"
        try await server.herald.application.test(.router) { client in
            let token = try await admin.token(client)
            let body = String(decoding: try JSONSerialization.data(withJSONObject: ["L1": ["label": label]]), as: UTF8.self)
            let changed = try await client.call(.put, "/admin/realms/test/levels", token: token, body: body)
            #expect(changed.status == 200, "\(changed.text)")
            #expect((changed.object["L1"] as? [String: Any])?["label"] as? String == label)
            let mapping = String(decoding: try JSONSerialization.data(withJSONObject: ["group": group, "role": "mcps-l3"]),
                                 as: UTF8.self)
            #expect(try await client.call(.post, "/admin/realms/test/role-mappings", token: token, body: mapping).status == 201)

            for accept in ["application/json", "application/yaml"] {
                let export = try await client.call(.get, "/admin/realms/test", token: token, headers: [.accept: accept])
                #expect(export.status == 200)
                let imported = try await client.call(.put, "/admin/realms/test", token: token, body: export.text,
                                                     headers: [.contentType: accept])
                #expect(imported.status == 200, "\(accept): \(imported.text)")
                let levels = try await client.call(.get, "/admin/realms/test/levels", token: token)
                #expect((levels.object["L1"] as? [String: Any])?["label"] as? String == label, "\(accept)")
                let mappings = try await client.call(.get, "/admin/realms/test/role-mappings", token: token)
                let groups = (mappings.object["role_mappings"] as? [[String: Any]])?.compactMap { $0["group"] as? String }
                #expect(groups?.contains(group) == true, "\(accept)")
            }
        }
    }
}

/// JSON's value types hold in JSON bodies, though the loader reads them as YAML (found by
/// schemathesis: `"groups": [false]` was stored as the group "false").
@Suite("Admin bodies keep JSON types")
struct AdminJSONTypeTests {
    @Test("a JSON boolean or number where a string belongs is 400, and a string where a number belongs")
    func jsonTypes() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            let token = try await admin.token(client)
            let before = try await client.call(.get, "/admin/realms/test/levels", token: token).text
            for (body, message) in [
                (#"{"L1": {"scopes": [false]}}"#, "levels.L1.scopes[0]: expected a string"),
                (#"{"L1": {"label": 5}}"#, "levels.L1.label: expected a string"),
                (#"{"L1": {"tx_limit": "10"}}"#, "levels.L1.tx_limit: expected a whole number"),
            ] {
                let reply = try await client.call(.put, "/admin/realms/test/levels", token: token, body: body)
                #expect(reply.status == 400, "\(body)")
                #expect(reply.object["error_description"] as? String == message, "\(body)")
            }
            #expect(try await client.call(.get, "/admin/realms/test/levels", token: token).text == before)
            let agent = try await client.call(.post, "/admin/realms/test/agents", token: token,
                                              body: #"{"id": "typed", "groups": [true]}"#)
            #expect(agent.status == 400)
            #expect((agent.object["error_description"] as? String)?.hasSuffix("groups[0]: expected a string") == true)
            // A realm imported as JSON text is read with JSON's types; the same value in YAML
            // text is YAML's plain scalar, a string.
            var document = try await client.call(.get, "/admin/realms/test", token: token).object
            document["display_name"] = false
            let json = String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self)
            let refused = try await client.call(.put, "/admin/realms/test", token: token, body: json)
            #expect(refused.status == 400)
            #expect((refused.object["error_description"] as? String)?.contains("display_name: expected a string") == true)
            let yaml = try await client.call(.get, "/admin/realms/test", token: token, headers: [.accept: "application/yaml"])
            let imported = try await client.call(.put, "/admin/realms/test", token: token,
                                                 body: "display_name: false\n" + yaml.text,
                                                 headers: [.contentType: "application/yaml"])
            #expect(imported.status == 200, "\(imported.text)")
        }
    }
}

/// Found by schemathesis: a replacing PUT whose id member was not a string (`"id": {}`) was
/// taken as if the member were absent.
@Suite("Admin replacements keep their id")
struct AdminReplacementIDTests {
    @Test("PUT of an agent or a client with an id of another type, or another id, is 400 and changes nothing")
    func idMustBeThePath() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            let token = try await admin.token(client)
            let agent = try await client.call(.get, "/admin/realms/test/agents/agent-two", token: token).text
            for id in [#"{}"#, "5", "null", #""agent-one""#] {
                let reply = try await client.call(.put, "/admin/realms/test/agents/agent-two", token: token,
                                                  body: #"{"id": \#(id), "roles": []}"#)
                #expect(reply.status == 400, "\(id)")
                #expect(reply.object["error_description"] as? String == "an agent's id cannot change", "\(id)")
                let replaced = try await client.call(.put, "/admin/realms/test/clients/two-bot", token: token,
                                                     body: #"{"client_id": \#(id), "subject": "agent-two", "auth": "client_secret_post"}"#)
                #expect(replaced.status == 400, "\(id)")
                #expect(replaced.object["error_description"] as? String == "client_id cannot change; create a new client instead")
            }
            #expect(try await client.call(.get, "/admin/realms/test/agents/agent-two", token: token).text == agent)
        }
    }
}

/// Found by schemathesis: a federation peer with `refresh: 99999999999999999d` overflowed
/// while the duration was read, and the trap took the whole server down.
@Suite("Admin durations")
struct AdminDurationTests {
    @Test("a duration too large for the clock is a 400, and the server keeps serving")
    func hugeDuration() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            let token = try await admin.token(client)
            let pin = String(repeating: "A", count: 43)
            for (key, value) in [("refresh", "99999999999999999d"), ("max_staleness", "9223372036854775807m")] {
                let body = #"{"entity": "https://peer.test/realms/x", "pin": "\#(pin)", "max_level": "L2", "\#(key)": "\#(value)"}"#
                let reply = try await client.call(.post, "/admin/realms/test/federation/peers", token: token, body: body)
                #expect(reply.status == 400, "\(key)")
                #expect((reply.object["error_description"] as? String)?.contains("is not a duration") == true, "\(reply.text)")
            }
            #expect(try await client.call(.get, "/admin/realms", token: token).status == 200)
        }
    }
}

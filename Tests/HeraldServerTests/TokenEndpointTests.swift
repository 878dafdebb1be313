import Foundation
import HeraldCore
import HeraldJOSE
import HeraldServer
import HeraldTesting
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Token endpoint")
struct TokenEndpointTests {
    static let tokenPath = "/realms/test/protocol/openid-connect/token"

    static func basic(_ id: String, _ secret: String) -> String {
        "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()
    }

    static func form(_ body: String, headers: HTTPFields = [:]) -> (HTTPFields, ByteBuffer) {
        var all = headers
        all[.contentType] = "application/x-www-form-urlencoded"
        return (all, ByteBuffer(string: body))
    }

    static func json(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any]) ?? [:]
    }

    @Test("client_credentials: the token carries the agent's mcps claim, roles and scopes")
    func issues() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            let (headers, body) = Self.form("grant_type=client_credentials",
                                            headers: [.authorization: Self.basic("four-bot", RealmFixtures.botSecret)])
            try await client.execute(uri: Self.tokenPath, method: .post, headers: headers, body: body) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "no-store")
                let reply = Self.json(response.body)
                let token = try #require(reply["access_token"] as? String)
                #expect(reply["token_type"] as? String == "Bearer")
                #expect(reply["expires_in"] as? Int == 300)
                let header = JWTParts.header(token), claims = JWTParts.claims(token)
                #expect(header["typ"] as? String == "at+jwt")
                #expect(header["alg"] as? String == "ES256")
                #expect(claims["iss"] as? String == "https://herald.test/realms/test")
                #expect(claims["aud"] as? String == "https://herald.test/realms/test")
                #expect(claims["sub"] as? String == "agent-four")
                #expect(claims["client_id"] as? String == "four-bot")
                let now = Int(server.clock.now().timeIntervalSince1970)
                #expect(claims["iat"] as? Int == now && claims["nbf"] as? Int == now && claims["exp"] as? Int == now + 300)
                #expect((claims["realm_access"] as? [String: [String]])?["roles"] == ["mcps-l1", "mcps-l4"])
                let mcps = try #require(claims["mcps"] as? [String: Any])
                #expect(mcps["trust_level"] as? Int == 4)
                #expect(mcps["trust_label"] as? String == "L4 -- Full Access")
                #expect(mcps["tx_limit"] as? Int == 50000)
                #expect(mcps["scopes"] as? String == "payment_initiate,payment_approve,sanctions_screen,treasury_manage")
                // The client's own scope list narrows what the level allows.
                #expect(claims["scope"] as? String == "sanctions_screen treasury_manage")
                // The signature verifies with the published key.
                let published = server.herald.registry.runtime(named: "test")!.keyRing.published.keys
                _ = try UnverifiedJWS(compact: token).verify(with: published)
            }
        }
    }

    @Test("client_secret_post, scope narrowing and invalid_scope")
    func postAndScopes() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            let secret = RealmFixtures.botSecret
            let (headers, body) = Self.form("grant_type=client_credentials&client_id=two-bot&client_secret=\(secret)&scope=sanctions_screen")
            try await client.execute(uri: Self.tokenPath, method: .post, headers: headers, body: body) { response in
                #expect(response.status == .ok)
                let token = try #require(Self.json(response.body)["access_token"] as? String)
                #expect(JWTParts.claims(token)["scope"] as? String == "sanctions_screen")
                #expect((JWTParts.claims(token)["mcps"] as? [String: Any])?["trust_level"] as? Int == 2)
            }
            let (h2, b2) = Self.form("grant_type=client_credentials&client_id=two-bot&client_secret=\(secret)&scope=treasury_manage")
            try await client.execute(uri: Self.tokenPath, method: .post, headers: h2, body: b2) { response in
                #expect(response.status == .badRequest)
                #expect(Self.json(response.body)["error"] as? String == "invalid_scope")
            }
        }
    }

    @Test("failures are RFC 6749 §5.2 errors with the right status, never a 5xx",
          arguments: [
            ("grant_type=client_credentials", "zero-bot:wrong-secret", 401, "invalid_client"),
            ("grant_type=client_credentials", "nobody:\(RealmFixtures.botSecret)", 401, "invalid_client"),
            // registered for client_secret_post, tried with basic
            ("grant_type=client_credentials", "two-bot:\(RealmFixtures.botSecret)", 401, "invalid_client"),
            ("grant_type=password", "zero-bot:\(RealmFixtures.botSecret)", 400, "unsupported_grant_type"),
            ("scope=x", "zero-bot:\(RealmFixtures.botSecret)", 400, "invalid_request"),
            ("grant_type=%ZZ", "zero-bot:\(RealmFixtures.botSecret)", 400, "invalid_request"),
            ("grant_type=client_credentials&grant_type=client_credentials", "zero-bot:\(RealmFixtures.botSecret)", 400, "invalid_request"),
            ("grant_type=client_credentials&client_secret=x", "zero-bot:\(RealmFixtures.botSecret)", 400, "invalid_request"),
            ("grant_type=client_credentials", "", 401, "invalid_client"),
          ])
    func errors(body: String, credentials: String, status: Int, error: String) async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            var extra: HTTPFields = [:]
            if let colon = credentials.firstIndex(of: ":") {
                extra[.authorization] = Self.basic(String(credentials[..<colon]), String(credentials[credentials.index(after: colon)...]))
            }
            let (headers, buffer) = Self.form(body, headers: extra)
            try await client.execute(uri: Self.tokenPath, method: .post, headers: headers, body: buffer) { response in
                #expect(response.status.code == status)
                #expect(response.headers[.contentType] == "application/json")
                #expect(Self.json(response.body)["error"] as? String == error)
                if status == 401 { #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Basic realm=\"test\"") == true) }
            }
        }
    }

    @Test("bodies over 64 KiB are 413, the wrong content type 400, an unknown realm a JSON 404")
    func limits() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            let (headers, body) = Self.form("grant_type=client_credentials&pad=" + String(repeating: "a", count: 65536))
            try await client.execute(uri: Self.tokenPath, method: .post, headers: headers, body: body) { response in
                #expect(response.status == .contentTooLarge)
                #expect(Self.json(response.body)["error"] as? String == "invalid_request")
            }
            try await client.execute(uri: Self.tokenPath, method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: #"{"grant_type":"client_credentials"}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(Self.json(response.body)["error"] as? String == "invalid_request")
            }
            let (h3, b3) = Self.form("grant_type=client_credentials")
            try await client.execute(uri: "/realms/nope/protocol/openid-connect/token", method: .post, headers: h3, body: b3) { response in
                #expect(response.status == .notFound)
                #expect(Self.json(response.body)["error"] as? String == "not_found")
            }
        }
    }

    @Test("metrics count issued and denied tokens by realm")
    func metrics() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            for secret in [RealmFixtures.botSecret, "wrong"] {
                let (headers, body) = Self.form("grant_type=client_credentials",
                                                headers: [.authorization: Self.basic("zero-bot", secret)])
                try await client.execute(uri: Self.tokenPath, method: .post, headers: headers, body: body) { _ in }
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"herald_tokens_issued_total{realm="test",grant="client_credentials",level="L0"} 1"#))
                #expect(text.contains(#"herald_token_denials_total{realm="test",reason="invalid_client"} 1"#))
                #expect(text.contains(#"herald_http_requests_total{route="/realms/{realm}/protocol/openid-connect/token",method="POST",status_class="4xx"} 1"#))
            }
        }
    }
}

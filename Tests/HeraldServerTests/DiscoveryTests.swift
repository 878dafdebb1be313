import Foundation
import HeraldServer
import HeraldTesting
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Discovery and JWKS")
struct DiscoveryTests {
    @Test("OIDC discovery, RFC 8414 metadata and the host-root aliases agree")
    func discovery() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            var documents: [[String: Any]] = []
            for path in ["/realms/test/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/realms/test",
                         "/.well-known/openid-configuration"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path)")
                    documents.append(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as! [String: Any])
                }
            }
            let document = documents[0]
            #expect(document["issuer"] as? String == "https://herald.test/realms/test")
            #expect(document["token_endpoint"] as? String == "https://herald.test/realms/test/protocol/openid-connect/token")
            #expect(document["jwks_uri"] as? String == "https://herald.test/realms/test/.well-known/agent-trust-keys")
            #expect(document["grant_types_supported"] as? [String] == ["client_credentials", "urn:ietf:params:oauth:grant-type:token-exchange"])
            #expect(document["token_endpoint_auth_methods_supported"] as? [String]
                    == ["client_secret_basic", "client_secret_post", "private_key_jwt"])
            for other in documents.dropFirst() { #expect(NSDictionary(dictionary: other).isEqual(to: document)) }
        }
    }

    @Test("the JWKS is the same on its three paths, with Cache-Control, an ETag and 304")
    func jwks() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            var bodies: [String] = []
            var etag = ""
            for path in ["/realms/test/.well-known/agent-trust-keys", "/realms/test/protocol/openid-connect/certs",
                         "/.well-known/agent-trust-keys"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.cacheControl] == "public, max-age=600")
                    etag = try #require(response.headers[.eTag])
                    bodies.append(String(buffer: response.body))
                }
            }
            #expect(Set(bodies).count == 1)
            #expect(!bodies[0].contains("\"d\""))
            try await client.execute(uri: "/realms/test/.well-known/agent-trust-keys", method: .get,
                                     headers: [.ifNoneMatch: etag]) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/realms/test/.well-known/agent-trust-keys", method: .get,
                                     headers: [.ifNoneMatch: "\"stale\""]) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/realms/nope/.well-known/agent-trust-keys", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/json")
            }
            try await client.execute(uri: "/health/ready", method: .get) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/health/live", method: .get) { response in #expect(response.status == .ok) }
        }
    }
}

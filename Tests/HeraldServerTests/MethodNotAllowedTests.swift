import Foundation
import HeraldServer
import HeraldTesting
import Hummingbird
import HummingbirdTesting
import Testing

/// Found by schemathesis (ST204, its unsupported_method check): a routed path asked with
/// another method was a bare 404. RFC 9110 §15.5.6 wants 405 with `Allow`.
@Suite("405 Method Not Allowed")
struct MethodNotAllowedTests {
    @Test("a routed path with another method is 405 naming the methods in Allow, with an error body")
    func methodNotAllowed() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            for (method, path, allow) in [(HTTPRequest.Method.delete, "/health/live", "GET"),
                                          (.get, "/realms/test/protocol/openid-connect/token", "POST"),
                                          (.patch, "/admin/realms/test", "GET, PUT"),
                                          (.get, "/admin/realms/test/keys/some-kid/activate", "POST"),
                                          (.head, "/realms/test/.well-known/agent-trust-keys", "GET")] {
                try await client.execute(uri: path, method: method) { response in
                    #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                    #expect(response.headers[.allow] == allow, "\(method) \(path)")
                    #expect(response.headers[.cacheControl] == "no-store")
                    if method != .head {
                        let body = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: String]
                        #expect(body?["error"] == "method_not_allowed", "\(method) \(path)")
                    }
                }
            }
        }
    }

    @Test("a path no route has stays a bare 404, and routed methods are untouched")
    func unknownPathIsNotFound() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            for path in ["/nope", "/realms/test/nope", "/health/live/extra"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .notFound, "\(path)")
                    #expect(response.headers[.allow] == nil)
                }
            }
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }
}

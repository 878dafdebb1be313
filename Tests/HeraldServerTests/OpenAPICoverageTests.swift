import Foundation
import HeraldServer
import HeraldTesting
import Testing
import Yams

/// docs/openapi.yaml against the router of a real server: the spec must list every route the
/// server registers, and the server must serve every operation the spec lists.
@Suite("OpenAPI coverage")
struct OpenAPICoverageTests {
    static let specPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/openapi.yaml").path

    static let methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    /// The spec's operations as `METHOD /path/{parameter}`, the notation of the router's
    /// route descriptions (Hummingbird writes `:parameter` captures as `{parameter}`).
    static func specOperations() throws -> Set<String> {
        let text = try String(contentsOfFile: specPath, encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any], "docs/openapi.yaml is not a mapping")
        let paths = try #require(document["paths"] as? [String: Any], "docs/openapi.yaml has no paths")
        var operations: Set<String> = []
        for (path, item) in paths {
            let item = try #require(item as? [String: Any], "paths.\(path) is not a mapping")
            for method in methods where item[method] != nil { operations.insert("\(method.uppercased()) \(path)") }
        }
        return operations
    }

    @Test("every route the server registers is in docs/openapi.yaml, and every operation there is served")
    func routesMatchSpec() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let routes = Set(server.herald.routes)
        let operations = try Self.specOperations()
        let undocumented = routes.subtracting(operations).sorted()
        let unserved = operations.subtracting(routes).sorted()
        #expect(undocumented.isEmpty, "routes missing from docs/openapi.yaml: \(undocumented.joined(separator: "; "))")
        #expect(unserved.isEmpty, "operations in docs/openapi.yaml the server does not route: \(unserved.joined(separator: "; "))")
    }

    @Test("the route list is the router's: it has the token endpoint and the admin routes, in the spec's notation")
    func routeListIsReal() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let routes = server.herald.routes
        #expect(routes.contains("POST /realms/{realm}/protocol/openid-connect/token"))
        #expect(routes.contains("DELETE /admin/realms/{realm}/clients/{client}"))
        #expect(routes.contains("GET /health/live"))
        #expect(Set(routes).count == routes.count, "a route is listed twice")
    }
}

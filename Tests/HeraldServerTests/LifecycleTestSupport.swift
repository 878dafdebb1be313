import Foundation
import HeraldTesting
import Hummingbird
import HummingbirdTesting

/// Token requests and small helpers shared by the lifecycle suites.
enum Lifecycle {
    static let hash1 = "sha256:" + String(repeating: "a1", count: 32)
    static let hash2 = "sha256:" + String(repeating: "b2", count: 32)

    /// The test realm with `extra` realm-file lines appended (trust_policy, tools, …).
    static func realm(_ extra: String = "") -> [String: String] {
        ["test.yaml": RealmFixtures.testRealm() + "\n" + extra]
    }

    static let tools = """
        tools:
          database-mcp/query: L2
          payments-mcp/charge: L3
        """

    /// A token request for `clientID` (every fixture client has the same secret).
    static func tokenReply(_ client: any TestClientProtocol, clientID: String = "two-bot") async throws -> JSONReply {
        if clientID != "two-bot" {  // the fixture's other clients use client_secret_basic
            return try await form(client, "/realms/test/protocol/openid-connect/token", "grant_type=client_credentials",
                                  as: clientID)
        }
        return try await client.call(.post, "/realms/test/protocol/openid-connect/token", token: nil,
                              body: "grant_type=client_credentials&client_id=\(clientID)&client_secret=\(RealmFixtures.botSecret)",
                              headers: [.contentType: "application/x-www-form-urlencoded"])
    }

    static func token(_ client: any TestClientProtocol, clientID: String = "two-bot") async throws -> String? {
        try await tokenReply(client, clientID: clientID).object["access_token"] as? String
    }

    static func level(_ client: any TestClientProtocol, clientID: String = "two-bot") async throws -> Int? {
        mcps(try await token(client, clientID: clientID))["trust_level"] as? Int
    }

    static func mcps(_ token: String?) -> [String: Any] {
        JWTParts.claims(token ?? "")["mcps"] as? [String: Any] ?? [:]
    }

    static func basic(_ clientID: String) -> String {
        "Basic " + Data("\(clientID):\(RealmFixtures.botSecret)".utf8).base64EncodedString()
    }

    /// A form POST authenticated with HTTP Basic.
    static func form(_ client: any TestClientProtocol, _ path: String, _ body: String, as clientID: String) async throws
        -> JSONReply
    {
        try await client.call(.post, path, token: nil, body: body,
                              headers: [.contentType: "application/x-www-form-urlencoded", .authorization: basic(clientID)])
    }

    /// A JSON POST authenticated with HTTP Basic.
    static func json(_ client: any TestClientProtocol, _ path: String, _ body: String, as clientID: String) async throws
        -> JSONReply
    {
        try await client.call(.post, path, token: nil, body: body, headers: [.authorization: basic(clientID)])
    }
}

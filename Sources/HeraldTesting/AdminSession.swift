import Foundation
import Hummingbird
import HummingbirdTesting

/// Admin credentials of a test server and helpers to call its admin API in tests.
public struct AdminTestClient: Sendable {
    public let clientID: String
    public let secret: String

    /// Reads `data/admin-credentials` of `server`.
    public init(server: TestServer) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(server.configuration.dataDirectory)/admin-credentials"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: String] ?? [:]
        clientID = object["client_id"] ?? ""
        secret = object["client_secret"] ?? ""
    }

    /// A client_credentials token from `realm` for `clientID`:`secret`.
    public static func token(_ client: any TestClientProtocol, realm: String = "master", clientID: String,
                             secret: String) async throws -> String {
        let basic = Data("\(clientID):\(secret)".utf8).base64EncodedString()
        return try await client.execute(uri: "/realms/\(realm)/protocol/openid-connect/token", method: .post,
                                        headers: [.contentType: "application/x-www-form-urlencoded",
                                                  .authorization: "Basic \(basic)"],
                                        body: ByteBuffer(string: "grant_type=client_credentials")) { response in
            let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
            return object?["access_token"] as? String ?? ""
        }
    }

    public func token(_ client: any TestClientProtocol) async throws -> String {
        try await Self.token(client, clientID: clientID, secret: secret)
    }
}

/// A response's status and JSON body.
public struct JSONReply: Sendable {
    public let status: Int
    public let text: String
    public var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }
}

extension TestClientProtocol {
    /// Sends `body` (JSON text) with `token` as bearer and returns the reply.
    public func call(_ method: HTTPRequest.Method, _ uri: String, token: String?, body: String? = nil,
                     headers extra: HTTPFields = [:]) async throws -> JSONReply {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            JSONReply(status: Int($0.status.code), text: String(buffer: $0.body))
        }
    }
}

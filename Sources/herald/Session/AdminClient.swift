import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// One HTTP answer: status, content type and the whole body.
struct HTTPResult: Sendable {
    let status: Int
    let contentType: String?
    let body: Data

    var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as JSON.
    func json() throws -> JSONValue {
        do { return try JSONValue(parsing: body) } catch {
            throw CLIError.refused("the server answered \(status) with a body that is not JSON; is --server a Herald server?")
        }
    }

    /// The body as text.
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A small HTTP client for the admin API and the token endpoint. It knows nothing of
/// sessions: ``AdminSession`` adds the bearer token.
struct AdminClient: Sendable {
    /// The process's HTTP client: no redirects (a bearer token must not follow one to another
    /// host), and a refused connection fails at once rather than being retried until the
    /// timeout. Never shut down; it lives as long as the process.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .seconds(5), read: .seconds(60)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// Base URL, without a trailing slash.
    let server: String
    let timeout: TimeAmount
    /// The TLS files, for the hints of a failed handshake.
    let tls: ClientTLS
    /// Set on each request (AsyncHTTPClient pools connections per TLS configuration), so the
    /// one process-wide client serves any trust store and client certificate.
    let tlsConfiguration: TLSConfiguration

    /// The base URL when neither `--server` nor HERALD_SERVER is given.
    static let defaultServer = "http://127.0.0.1:8080"

    /// Reads the TLS files now: an unreadable, non-PEM or mismatched one is a usage error.
    init(server: String, tls: ClientTLS = .system, timeout: TimeAmount = .seconds(30)) throws {
        self.server = try Self.normalize(server)
        self.timeout = timeout
        self.tls = tls
        self.tlsConfiguration = try tls.configuration()
    }

    /// Checks that `server` is an http(s) URL and drops trailing slashes.
    static func normalize(_ server: String) throws -> String {
        var text = server.trimmingCharacters(in: .whitespaces)
        while text.hasSuffix("/") { text.removeLast() }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              url.host != nil, url.query == nil
        else { throw CLIError.usage("--server must be an http(s) URL such as http://127.0.0.1:8080, not \(server)") }
        return text
    }

    /// `/a/b/c` with each segment percent-encoded.
    static func path(_ segments: String...) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/;?#%")
        return segments.map { "/" + ($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0) }.joined()
    }

    /// A query string (with its `?`) from the pairs whose value is set.
    static func query(_ items: [(String, String?)]) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#%")
        let parts = items.compactMap { name, value in
            value.map { "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0)" }
        }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }

    /// Sends one request; throws ``CLIError/unreachable(_:)`` when there is no answer.
    func send(_ method: HTTPMethod, _ path: String, body: Data? = nil, contentType: String? = nil,
              accept: String = "application/json", authorization: String? = nil) async throws -> HTTPResult {
        var request = HTTPClientRequest(url: server + path)
        request.tlsConfiguration = tlsConfiguration
        request.method = method
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: "herald-cli")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await Self.http.execute(request, timeout: timeout)
            let buffer = try await response.body.collect(upTo: 64 << 20)
            return HTTPResult(status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"),
                              body: Data(buffer.readableBytesView))
        } catch {
            if let tlsFailure = tls.hint(for: error) {
                throw CLIError.unreachable("TLS handshake with \(server) failed (\(tlsFailure.reason)); \(tlsFailure.hint)")
            }
            // Plain HTTP to a TLS port: the server hangs up on the bytes it cannot read.
            let https = server.lowercased().hasPrefix("http://") && "\(error)".contains("remoteConnectionClosed")
                ? " (if it serves TLS, use https:// in --server)" : ""
            throw CLIError.unreachable("cannot reach the server at \(server) (\(Self.reason(error)))\(https); "
                + "is `herald serve` running there? check --server or HERALD_SERVER")
        }
    }

    /// A short, secret-free reason for a transport failure.
    private static func reason(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.count > 160 ? String(text.prefix(160)) + "…" : text
    }

    /// Client credentials grant at `realm`'s token endpoint (HTTP Basic, RFC 6749 §2.3.1).
    /// Returns the token and its lifetime in seconds.
    func token(realm: String, clientID: String, clientSecret: String) async throws -> (token: String, expiresIn: Int) {
        func encode(_ text: String) -> String {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
        }
        let basic = Data("\(encode(clientID)):\(encode(clientSecret))".utf8).base64EncodedString()
        let result = try await send(.POST, Self.path("realms", realm, "protocol", "openid-connect", "token"),
                                    body: Data("grant_type=client_credentials".utf8),
                                    contentType: "application/x-www-form-urlencoded", authorization: "Basic \(basic)")
        guard result.isSuccess else {
            let (code, description) = Self.errorFields(result)
            let hint = result.status == 429
                ? "too many failed logins locked this client or this address out for a while (brute_force); "
                    + "wait, then check the client id and secret"
                : code == "invalid_client"
                ? "check the client id and secret (see data/admin-credentials on the server)"
                : "check that the client is an admin client of the \(realm) realm"
            throw CLIError.refused("login refused (\(result.status) \(code)): \(description); \(hint)")
        }
        let body = try result.json()
        guard let token = body["access_token"]?.string, !token.isEmpty else {
            throw CLIError.refused("the token response has no access_token; is --server a Herald server?")
        }
        return (token, Int(body["expires_in"]?.int ?? 60))
    }

    /// `error` and `error_description` of an error body, or what can be said without them.
    static func errorFields(_ result: HTTPResult) -> (code: String, description: String) {
        if let body = try? JSONValue(parsing: result.body), let code = body["error"]?.string {
            return (code, body["error_description"]?.string ?? code)
        }
        let text = result.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        return ("http_\(result.status)", line.isEmpty ? "no error description" : String(line.prefix(200)))
    }
}

import Foundation
import NIOHTTP1

/// The admin API as the logged-in client: adds the bearer token, renews it once when it
/// has expired (or expires within 30 s, or a request is answered 401) with the cached
/// client credentials, and turns error answers into one-line ``CLIError``s.
actor AdminSession {
    /// The realm that holds admin clients.
    static let adminRealm = "master"

    let client: AdminClient
    let store: SessionStore
    private var session: Session
    private let now: @Sendable () -> Date

    init(client: AdminClient, store: SessionStore, session: Session, now: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.store = store
        self.session = session
        self.now = now
    }

    /// Opens the saved session; `server` (from --server or HERALD_SERVER) must be the one
    /// logged in to. The TLS files of the login are used unless `tls` gives others.
    static func open(server: String?, tls: ClientTLS = .system, store: SessionStore = SessionStore()) throws
        -> AdminSession
    {
        guard let session = try store.load() else { throw CLIError.notLoggedIn }
        if let server {
            let wanted = try AdminClient.normalize(server)
            guard wanted == (try? AdminClient.normalize(session.server)) else {
                throw CLIError.usage("logged in to \(session.server), not \(wanted): run `herald login --server \(wanted)`")
            }
        }
        let client = try AdminClient(server: session.server, tls: session.tls.overridden(by: tls))
        return AdminSession(client: client, store: store, session: session)
    }

    /// The session as it is now (after any renewal).
    var current: Session { session }

    /// Sends a request; returns the 2xx answer or throws the server's refusal. `hints` adds
    /// what to do for a status (e.g. 409 → "pass --override").
    func send(_ method: HTTPMethod, _ path: String, body: Data? = nil, contentType: String? = nil,
              accept: String = "application/json", hints: [Int: String] = [:]) async throws -> HTTPResult {
        var renewed = false
        if session.needsRenewal(at: now()) {
            try await renew()
            renewed = true
        }
        var result = try await client.send(method, path, body: body, contentType: contentType, accept: accept,
                                           authorization: "Bearer \(session.accessToken)")
        if result.status == 401, !renewed {
            try await renew()
            result = try await client.send(method, path, body: body, contentType: contentType, accept: accept,
                                           authorization: "Bearer \(session.accessToken)")
        }
        guard result.isSuccess else { throw refusal(result, hints: hints) }
        return result
    }

    /// Sends `body` as JSON and returns the JSON answer (`.null` for an empty body).
    func json(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil, hints: [Int: String] = [:]) async throws
        -> JSONValue
    {
        let result = try await send(method, path, body: body?.data, hints: hints)
        return result.body.isEmpty ? .null : try result.json()
    }

    /// Fetches a new token with the cached credentials and saves the session.
    func renew() async throws {
        let token: (token: String, expiresIn: Int)
        do {
            token = try await client.token(realm: Self.adminRealm, clientID: session.clientID,
                                           clientSecret: session.clientSecret)
        } catch let error as CLIError where error.kind == .refused {
            throw CLIError.refused("the saved credentials no longer get a token (\(error.message)); "
                + "run `herald login --server \(session.server)` again")
        }
        session.accessToken = token.token
        session.expiresAt = now().addingTimeInterval(TimeInterval(token.expiresIn))
        try store.save(session)
    }

    /// The one-line error for a refused request.
    func refusal(_ result: HTTPResult, hints: [Int: String]) -> CLIError {
        let (code, description) = AdminClient.errorFields(result)
        let hint = (hints[result.status] ?? Self.defaultHints[result.status])?
            .replacingOccurrences(of: "{server}", with: session.server)
        return CLIError.refused("\(description) (\(result.status) \(code))" + (hint.map { "; \($0)" } ?? ""))
    }

    private static let defaultHints: [Int: String] = [
        401: "the token was refused; run `herald login --server {server}` again",
        403: "the logged-in client lacks the herald-admin role; log in with the credentials in the server's data/admin-credentials",
        404: "check --realm and the name given (`herald realm list` lists the realms)",
        409: "it conflicts with the current state; list it first and change that",
    ]
}

import Foundation
import HeraldCore
import HeraldJOSE
import HTTPTypes
import Hummingbird
import NIOCore

/// Authenticates the client of a token request (RFC 6749 §2.3, RFC 7523 §3; wire-formats §3).
///
/// Exactly one method per request; it must be the method the client is registered with.
/// Every failure is the same `invalid_client` to the client; the reason goes to the log.
struct ClientAuthenticator: Sendable {
    static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    /// Longest lifetime an assertion may claim (wire-formats §3).
    static let maxAssertionLifetime: TimeInterval = 300
    /// Tolerated clock difference with the client.
    static let leeway: TimeInterval = 30

    let hasher: SecretHasher
    let replayCache: ReplayCache
    let clock: any HeraldClock
    /// Brute-force protection: every authentication below passes through it.
    let limiter: AuthenticationLimiter
    /// Compared against when the client is unknown, so timing does not reveal which ids exist.
    let decoyDigest: SecretDigest
    /// Verifies the assertions of clients authenticated by an upstream IdP (`assertion_idp`).
    let upstream: UpstreamTokenVerifier

    init(hasher: SecretHasher, replayCache: ReplayCache, clock: any HeraldClock, limiter: AuthenticationLimiter,
         upstream: UpstreamTokenVerifier? = nil) {
        self.hasher = hasher
        self.replayCache = replayCache
        self.clock = clock
        self.limiter = limiter
        self.upstream = upstream ?? .standalone(clock: clock)
        decoyDigest = hasher.digest(UUID().uuidString)
    }

    /// The credentials a request presents, read once, before anything is checked.
    enum Credentials {
        /// HTTP Basic (`client_secret_basic`, or `ldap_bind` sent that way).
        case basic(clientID: String, secret: String)
        /// `client_id` and `client_secret` in the form.
        case post(clientID: String, secret: String)
        /// An RFC 7523 assertion and the client it names (`client_id`, else its unverified `sub`).
        case assertion(UnverifiedJWS, clientID: String?)

        var clientID: String? {
            switch self {
            case .basic(let id, _), .post(let id, _): id
            case .assertion(_, let id): id
            }
        }
    }

    /// Authenticates the client of a request to one of the realm's OAuth endpoints, under
    /// the brute-force limits (``AuthenticationLimiter``). `directory` lets `ldap_bind`
    /// clients and, with `agent_bind`, directory agents authenticate (the token endpoint).
    func authenticate(_ request: Request, form: [String: String], realm: RealmRuntime, peer: SocketAddress?,
                      directory: Bool = false) async throws(OAuthError) -> ClientProfile
    {
        let credentials = try Self.credentials(request, form: form, realm: realm)
        let attempt = try await limiter.admit(realm: realm.name, settings: realm.bruteForce, client: credentials.clientID,
                                              address: limiter.source(peer: peer, headers: request.headers))
        do {
            let profile: ClientProfile
            if directory, let bound = try await authenticateThroughDirectory(credentials, realm: realm) {
                profile = bound
            } else if let assertion = try await authenticateUpstreamAssertion(credentials, realm: realm) {
                profile = assertion
            } else {
                profile = try verify(credentials, realm: realm)
            }
            limiter.succeeded(attempt)
            RequestRecord.noteClient(profile.client.clientID)
            return profile
        } catch {
            // A wrong or unknown credential counts; a directory or cache outage (503) does not.
            if error.status == .unauthorized { await limiter.failed(attempt, reason: error.reason) }
            throw error
        }
    }

    /// HTTP Basic for callers of the realm's own APIs: any client registered with a secret
    /// (`client_secret_basic` or `client_secret_post` at the token endpoint).
    func authenticateCaller(basic header: String, realm: RealmRuntime, peer: SocketAddress?,
                            headers: HTTPFields) async throws(OAuthError) -> ClientProfile
    {
        guard let (clientID, secret) = Self.quickBasicCredentials(header) else {
            throw .invalidClient(realm: realm.name, reason: "malformed HTTP Basic credentials")
        }
        let attempt = try await limiter.admit(realm: realm.name, settings: realm.bruteForce, client: clientID,
                                              address: limiter.source(peer: peer, headers: headers))
        do {
            let profile = try checkSecret(clientID: clientID, secret: secret, method: nil, realm: realm)
            limiter.succeeded(attempt)
            RequestRecord.noteClient(profile.client.clientID)
            return profile
        } catch {
            await limiter.failed(attempt, reason: error.reason)
            throw error
        }
    }

    /// Reads the one authentication method of the request. What is refused here checked no
    /// credential, so it is not counted as a failed authentication.
    static func credentials(_ request: Request, form: [String: String], realm: RealmRuntime) throws(OAuthError)
        -> Credentials
    {
        let basic = request.headers[.authorization]
        let hasAssertion = form["client_assertion"] != nil || form["client_assertion_type"] != nil
        let methods = [basic != nil, hasAssertion, form["client_secret"] != nil].filter { $0 }.count
        if methods > 1 {
            throw .invalidRequest("use exactly one client authentication method per request")
        }
        if let basic {
            guard let (clientID, secret) = quickBasicCredentials(basic) else {
                throw .invalidClient(realm: realm.name, reason: "malformed HTTP Basic credentials")
            }
            if let formID = form["client_id"], formID != clientID {
                throw .invalidRequest("client_id in the body differs from the Authorization header")
            }
            return .basic(clientID: clientID, secret: secret)
        }
        if hasAssertion {
            guard form["client_assertion_type"] == assertionType else {
                throw .invalidRequest("client_assertion_type must be \(assertionType)")
            }
            guard let assertion = form["client_assertion"], !assertion.isEmpty else {
                throw .invalidRequest("client_assertion is missing")
            }
            let jws: UnverifiedJWS
            do { jws = try UnverifiedJWS(compact: assertion) } catch {
                throw .invalidClient(realm: realm.name, reason: "assertion: \(error)")
            }
            // Named by client_id, or else by the assertion's own sub; either way nothing in
            // the assertion is believed until its signature verifies.
            return .assertion(jws, clientID: form["client_id"] ?? unverifiedSubject(of: jws))
        }
        if let secret = form["client_secret"] {
            guard let clientID = form["client_id"] else {
                throw .invalidRequest("client_secret needs client_id beside it")
            }
            return .post(clientID: clientID, secret: secret)
        }
        throw .invalidClient(realm: realm.name, reason: "no client authentication in the request")
    }

    /// Checks `credentials` against the realm's registered clients.
    private func verify(_ credentials: Credentials, realm: RealmRuntime) throws(OAuthError) -> ClientProfile {
        switch credentials {
        case .basic(let clientID, let secret):
            return try checkSecret(clientID: clientID, secret: secret, method: .clientSecretBasic, realm: realm)
        case .post(let clientID, let secret):
            return try checkSecret(clientID: clientID, secret: secret, method: .clientSecretPost, realm: realm)
        case .assertion(let jws, let clientID):
            return try authenticateAssertion(jws, named: clientID, realm: realm)
        }
    }

    /// `method` nil accepts either secret method.
    private func checkSecret(clientID: String, secret: String, method: ClientAuthMethod?, realm: RealmRuntime)
        throws(OAuthError) -> ClientProfile
    {
        let profile = realm.profile(clientID: clientID)
        let digest = profile?.client.secretDigest ?? decoyDigest
        let matches = hasher.verify(secret, against: digest)
        guard let profile else { throw .invalidClient(realm: realm.name, reason: "unknown client \(clientID)") }
        guard matches else { throw .invalidClient(realm: realm.name, reason: "wrong secret for client \(clientID)") }
        guard profile.client.auth == method
                || (method == nil && [.clientSecretBasic, .clientSecretPost].contains(profile.client.auth))
        else {
            throw .invalidClient(realm: realm.name,
                                 reason: "client \(clientID) is registered for \(profile.client.auth.rawValue), used \(method?.rawValue ?? "a secret")")
        }
        return profile
    }

    private func authenticateAssertion(_ jws: UnverifiedJWS, named: String?, realm: RealmRuntime) throws(OAuthError)
        -> ClientProfile
    {
        func reject(_ reason: String) -> OAuthError { .invalidClient(realm: realm.name, reason: reason) }
        if let typ = jws.header.typ, !["jwt", "client-authentication+jwt"].contains(typ.lowercased()) {
            throw reject("assertion typ \(typ) is not a client assertion type")
        }
        guard let clientID = named, let profile = realm.profile(clientID: clientID) else {
            throw reject("assertion for unknown client \(named ?? "(none)")")
        }
        guard profile.client.auth == .privateKeyJWT else {
            throw reject("client \(clientID) is registered for \(profile.client.auth.rawValue), used private_key_jwt")
        }
        let verified: VerifiedJWS
        // Third-party JOSE libraries sign with either half of s (RFC 7518 §3.4 allows it), so
        // a high-S assertion is accepted; its low-S twin is refused as a replay (same jti).
        do { verified = try jws.verify(with: profile.keys, acceptingHighS: true) } catch {
            throw reject("assertion of \(clientID): \(error)")
        }
        let claims: ClientAssertionClaims
        do { claims = try JSONDecoder().decode(ClientAssertionClaims.self, from: Data(verified.payload)) } catch {
            throw reject("assertion of \(clientID) lacks iss, sub, aud, exp or jti of the right types")
        }
        let now = clock.now()
        guard claims.iss == clientID, claims.sub == clientID else {
            throw reject("assertion iss/sub (\(claims.iss)/\(claims.sub)) must both be \(clientID)")
        }
        guard claims.aud.values.contains(where: { $0 == realm.tokenEndpoint || $0 == realm.issuer }) else {
            throw reject("assertion aud \(claims.aud.values) names neither \(realm.tokenEndpoint) nor \(realm.issuer)")
        }
        guard claims.exp.date > now - Self.leeway else { throw reject("assertion of \(clientID) expired") }
        guard claims.exp.date <= now + Self.maxAssertionLifetime + Self.leeway else {
            throw reject("assertion of \(clientID) expires more than 5 minutes ahead")
        }
        if let nbf = claims.nbf, nbf.date > now + Self.leeway { throw reject("assertion of \(clientID) not yet valid") }
        if let iat = claims.iat, iat.date > now + Self.leeway { throw reject("assertion of \(clientID) issued in the future") }
        guard !claims.jti.isEmpty, claims.jti.utf8.count <= 256 else { throw reject("assertion jti empty or too long") }
        switch replayCache.record("\(realm.name)|\(clientID)|\(claims.jti)", expiresAt: claims.exp.date + Self.leeway,
                                  now: now) {
        case .fresh: return profile
        case .replayed: throw reject("assertion jti \(claims.jti) of \(clientID) was already used")
        case .full:
            throw OAuthError(status: .serviceUnavailable, code: "temporarily_unavailable",
                             description: "too many client assertions in flight; retry shortly",
                             reason: "replay cache full")
        }
    }

    /// HTTP Basic client id and secret; RFC 6749 §2.3.1 form-urlencodes both before joining.
    static func basicCredentials(_ header: String) -> (clientID: String, secret: String)? {
        guard header.count > 6, header.prefix(6).lowercased() == "basic ",
              let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":"),
              let clientID = FormBody.decode(Array(text[..<colon].utf8)),
              let secret = FormBody.decode(Array(text[text.index(after: colon)...].utf8))
        else { return nil }
        return (clientID, secret)
    }

    /// The client a request claims to be, authenticated or not: for the audit entry of a
    /// denial, so that failed attempts can be found by client.
    static func claimedClientID(_ request: Request, form: [String: String]) -> String? {
        if let header = request.headers[.authorization], let credentials = basicCredentials(header) {
            return credentials.clientID
        }
        if let clientID = form["client_id"] { return clientID }
        guard let assertion = form["client_assertion"], let jws = try? UnverifiedJWS(compact: assertion) else { return nil }
        return unverifiedSubject(of: jws)
    }

    static func unverifiedSubject(of jws: UnverifiedJWS) -> String? {
        struct Subject: Decodable { var sub: String? }
        return (try? JSONDecoder().decode(Subject.self, from: Data(jws.unverifiedPayload)))?.sub
    }
}

import Foundation
import HeraldCore
import HeraldJOSE
import Hummingbird

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
    /// Compared against when the client is unknown, so timing does not reveal which ids exist.
    let decoyDigest: SecretDigest

    init(hasher: SecretHasher, replayCache: ReplayCache, clock: any HeraldClock) {
        self.hasher = hasher
        self.replayCache = replayCache
        self.clock = clock
        decoyDigest = hasher.digest(UUID().uuidString)
    }

    func authenticate(_ request: Request, form: [String: String], realm: RealmRuntime) throws(OAuthError)
        -> ClientProfile
    {
        let basic = request.headers[.authorization]
        let hasAssertion = form["client_assertion"] != nil || form["client_assertion_type"] != nil
        let methods = [basic != nil, hasAssertion, form["client_secret"] != nil].filter { $0 }.count
        if methods > 1 {
            throw .invalidRequest("use exactly one client authentication method per request")
        }
        if let basic { return try authenticateBasic(basic, form: form, realm: realm) }
        if hasAssertion { return try authenticateAssertion(form: form, realm: realm) }
        if let secret = form["client_secret"] {
            guard let clientID = form["client_id"] else {
                throw .invalidRequest("client_secret needs client_id beside it")
            }
            return try checkSecret(clientID: clientID, secret: secret, method: .clientSecretPost, realm: realm)
        }
        throw .invalidClient(realm: realm.name, reason: "no client authentication in the request")
    }

    /// HTTP Basic for callers of the realm's own APIs: any client registered with a secret
    /// (`client_secret_basic` or `client_secret_post` at the token endpoint).
    func authenticateCaller(basic header: String, realm: RealmRuntime) throws(OAuthError) -> ClientProfile {
        guard let (clientID, secret) = Self.basicCredentials(header) else {
            throw .invalidClient(realm: realm.name, reason: "malformed HTTP Basic credentials")
        }
        return try checkSecret(clientID: clientID, secret: secret, method: nil, realm: realm)
    }

    private func authenticateBasic(_ header: String, form: [String: String], realm: RealmRuntime)
        throws(OAuthError) -> ClientProfile
    {
        guard let (clientID, secret) = Self.basicCredentials(header) else {
            throw .invalidClient(realm: realm.name, reason: "malformed HTTP Basic credentials")
        }
        if let formID = form["client_id"], formID != clientID {
            throw .invalidRequest("client_id in the body differs from the Authorization header")
        }
        return try checkSecret(clientID: clientID, secret: secret, method: .clientSecretBasic, realm: realm)
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

    private func authenticateAssertion(form: [String: String], realm: RealmRuntime) throws(OAuthError)
        -> ClientProfile
    {
        func reject(_ reason: String) -> OAuthError { .invalidClient(realm: realm.name, reason: reason) }
        guard form["client_assertion_type"] == Self.assertionType else {
            throw .invalidRequest("client_assertion_type must be \(Self.assertionType)")
        }
        guard let assertion = form["client_assertion"], !assertion.isEmpty else {
            throw .invalidRequest("client_assertion is missing")
        }
        let jws: UnverifiedJWS
        do { jws = try UnverifiedJWS(compact: assertion) } catch { throw reject("assertion: \(error)") }
        if let typ = jws.header.typ, !["jwt", "client-authentication+jwt"].contains(typ.lowercased()) {
            throw reject("assertion typ \(typ) is not a client assertion type")
        }
        // The client is named by client_id, or else by the assertion's own sub; either way
        // nothing in the assertion is believed until its signature verifies below.
        let named = form["client_id"] ?? Self.unverifiedSubject(of: jws)
        guard let clientID = named, let profile = realm.profile(clientID: clientID) else {
            throw reject("assertion for unknown client \(named ?? "(none)")")
        }
        guard profile.client.auth == .privateKeyJWT else {
            throw reject("client \(clientID) is registered for \(profile.client.auth.rawValue), used private_key_jwt")
        }
        let verified: VerifiedJWS
        do { verified = try jws.verify(with: profile.keys) } catch { throw reject("assertion of \(clientID): \(error)") }
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

    private static func unverifiedSubject(of jws: UnverifiedJWS) -> String? {
        struct Subject: Decodable { var sub: String? }
        return (try? JSONDecoder().decode(Subject.self, from: Data(jws.unverifiedPayload)))?.sub
    }
}

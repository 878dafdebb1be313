import Foundation
import HeraldCore
import HeraldJOSE

/// Authenticates the client of a token request (RFC 6749 §2.3, RFC 7523 §3; wire-formats §3).
///
/// Exactly one method per request; it must be the method the client is registered with.
/// Every failure is the same `invalid_client` to the client; the reason goes to the log.
/// What the HTTP request presents is read by the HTTP module (`ClientAuthenticator+HTTP`).
package struct ClientAuthenticator: Sendable {
    package static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    /// Longest lifetime an assertion may claim (wire-formats §3).
    package static let maxAssertionLifetime: TimeInterval = 300
    /// Tolerated clock difference with the client.
    package static let leeway: TimeInterval = 30

    package let hasher: SecretHasher
    /// Once-only client assertion ids (in process, or shared by the replicas).
    package let replayCache: any AssertionReplayCache
    package let clock: any HeraldClock
    /// Brute-force protection: every authentication below passes through it.
    package let limiter: AuthenticationLimiter
    /// Compared against when the client is unknown, so timing does not reveal which ids exist.
    package let decoyDigest: SecretDigest
    /// Verifies the assertions of clients authenticated by an upstream IdP (`assertion_idp`).
    package let upstream: UpstreamTokenVerifier
    /// `client_secret_basic` successes by header digest, per realm runtime (``VerifiedClientCache``).
    package let verifiedClients = VerifiedClientCache()

    package init(hasher: SecretHasher, replayCache: any AssertionReplayCache, clock: any HeraldClock, limiter: AuthenticationLimiter,
                 upstream: UpstreamTokenVerifier? = nil) {
        self.hasher = hasher
        self.replayCache = replayCache
        self.clock = clock
        self.limiter = limiter
        self.upstream = upstream ?? .standalone(clock: clock)
        decoyDigest = hasher.digest(UUID().uuidString)
    }

    /// The credentials a request presents, read once, before anything is checked.
    package enum Credentials {
        /// HTTP Basic (`client_secret_basic`, or `ldap_bind` sent that way).
        case basic(clientID: String, secret: String)
        /// `client_id` and `client_secret` in the form.
        case post(clientID: String, secret: String)
        /// An RFC 7523 assertion and the client it names (`client_id`, else its unverified `sub`).
        case assertion(UnverifiedJWS, clientID: String?)

        package var clientID: String? {
            switch self {
            case .basic(let id, _), .post(let id, _): id
            case .assertion(_, let id): id
            }
        }
    }

    /// Authenticates the client presenting `credentials` to one of the realm's OAuth endpoints,
    /// under the brute-force limits (``AuthenticationLimiter``), counted against `address`.
    /// `directory` lets `ldap_bind` clients and, with `agent_bind`, directory agents
    /// authenticate (the token endpoint).
    package func authenticate(_ credentials: Credentials, realm: RealmRuntime, address: ClientAddress,
                              directory: Bool = false) async throws(ServiceError) -> ClientProfile
    {
        let attempt = try await limiter.admit(realm: realm.name, settings: realm.bruteForce, client: credentials.clientID,
                                              address: address)
        do {
            let profile: ClientProfile
            if directory, let bound = try await authenticateThroughDirectory(credentials, realm: realm) {
                profile = bound
            } else if let assertion = try await authenticateUpstreamAssertion(credentials, realm: realm) {
                profile = assertion
            } else {
                profile = try await verify(credentials, realm: realm)
            }
            limiter.succeeded(attempt)
            return profile
        } catch {
            // A wrong or unknown credential counts; a directory or cache outage (503) does not.
            if error.code == .invalidClient { await limiter.failed(attempt, reason: error.reason) }
            throw error
        }
    }

    /// Admits a client whose credentials ``verifiedClients`` already vouches for in this realm
    /// runtime: the brute-force limits see it as any other attempt (a lockout still refuses
    /// it), but no secret is checked again.
    package func admitVerified(_ profile: ClientProfile, realm: RealmRuntime, address: ClientAddress)
        async throws(ServiceError) -> ClientProfile
    {
        let attempt = try await limiter.admit(realm: realm.name, settings: realm.bruteForce, client: profile.client.clientID,
                                              address: address)
        limiter.succeeded(attempt)
        return profile
    }

    /// HTTP Basic for callers of the realm's own APIs: any client registered with a secret
    /// (`client_secret_basic` or `client_secret_post` at the token endpoint).
    package func authenticateCaller(clientID: String, secret: String, realm: RealmRuntime, address: ClientAddress)
        async throws(ServiceError) -> ClientProfile
    {
        let attempt = try await limiter.admit(realm: realm.name, settings: realm.bruteForce, client: clientID,
                                              address: address)
        do {
            let profile = try checkSecret(clientID: clientID, secret: secret, method: nil, realm: realm)
            limiter.succeeded(attempt)
            return profile
        } catch {
            await limiter.failed(attempt, reason: error.reason)
            throw error
        }
    }

    /// Checks `credentials` against the realm's registered clients.
    private func verify(_ credentials: Credentials, realm: RealmRuntime) async throws(ServiceError) -> ClientProfile {
        switch credentials {
        case .basic(let clientID, let secret):
            return try checkSecret(clientID: clientID, secret: secret, method: .clientSecretBasic, realm: realm)
        case .post(let clientID, let secret):
            return try checkSecret(clientID: clientID, secret: secret, method: .clientSecretPost, realm: realm)
        case .assertion(let jws, let clientID):
            return try await authenticateAssertion(jws, named: clientID, realm: realm)
        }
    }

    /// `method` nil accepts either secret method.
    private func checkSecret(clientID: String, secret: String, method: ClientAuthMethod?, realm: RealmRuntime)
        throws(ServiceError) -> ClientProfile
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

    private func authenticateAssertion(_ jws: UnverifiedJWS, named: String?, realm: RealmRuntime)
        async throws(ServiceError) -> ClientProfile
    {
        func reject(_ reason: String) -> ServiceError { .invalidClient(realm: realm.name, reason: reason) }
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
        try await recordOnce("\(realm.name)|\(clientID)|\(claims.jti)", expiresAt: claims.exp.date + Self.leeway, now: now,
                             replayed: reject("assertion jti \(claims.jti) of \(clientID) was already used"))
        return profile
    }

    package static func unverifiedSubject(of jws: UnverifiedJWS) -> String? {
        struct Subject: Decodable { var sub: String? }
        return (try? JSONDecoder().decode(Subject.self, from: Data(jws.unverifiedPayload)))?.sub
    }
}

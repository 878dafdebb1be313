import AsyncHTTPClient
import Foundation
import HeraldCore
import HeraldJOSE

/// Verifies Herald access tokens (wire-formats §2, the RFC 9068 profile) for a relying
/// party, offline but for the cached JWKS and status lists:
///
/// 1. the header: `typ` `at+jwt` (or `application/at+jwt`), an `alg` Herald signs with —
///    `none`, HMAC and anything else are refused before any key is fetched;
/// 2. the key the `kid` names in the issuer's JWKS (re-fetched, rate-limited, for an unknown
///    kid); the algorithm is the key's own, so an ES256 header cannot meet an Ed25519 key;
/// 3. the claims: `iss` exact, `aud` containing a configured audience, `exp` (and `nbf`,
///    `iat`) within the skew, `sub`, the `mcps` claim;
/// 4. the Token Status List entry (`status`): INVALID is `revoked`, SUSPENDED `suspended`;
/// 5. `mcps.trust_level` against the required minimum.
public struct HeraldTokenVerifier: Sendable {
    /// What tokens must satisfy.
    public let configuration: Configuration
    /// The issuer's keys.
    public let keys: any JWKSSource
    /// The issuer's status lists; nil when ``Configuration-swift.struct/checksStatus`` is off.
    public let statusLists: RemoteStatusListCache?
    private let clock: any HeraldClock

    /// A verifier over explicit parts: `keys` (a ``RemoteJWKSCache`` or ``StaticJWKS``) and
    /// `statusLists` (required when the configuration checks status).
    public init(configuration: Configuration, keys: any JWKSSource, statusLists: RemoteStatusListCache?,
                clock: any HeraldClock = SystemClock()) {
        precondition(!configuration.checksStatus || statusLists != nil,
                     "a verifier that checks status needs a RemoteStatusListCache")
        self.configuration = configuration
        self.keys = keys
        self.statusLists = statusLists
        self.clock = clock
    }

    /// A verifier for the realm `configuration.issuer`, with its JWKS at `jwksURL` (default
    /// `{issuer}/.well-known/agent-trust-keys`) and its status lists, both fetched with
    /// `httpClient` and cached.
    public init(configuration: Configuration, jwksURL: URL? = nil,
                httpClient: HTTPClient = RemoteJWKSCache.defaultHTTPClient,
                clock: any HeraldClock = SystemClock()) throws(HeraldTokenVerificationError) {
        guard let url = jwksURL ?? configuration.defaultJWKSURL else {
            throw HeraldTokenVerificationError(.malformed, "issuer \(configuration.issuer) does not make a JWKS URL; pass jwksURL")
        }
        let keys = RemoteJWKSCache(url: url, httpClient: httpClient, clock: clock)
        let lists = configuration.checksStatus
            ? RemoteStatusListCache(issuer: configuration.issuer, keys: keys, httpClient: httpClient, clock: clock) : nil
        self.init(configuration: configuration, keys: keys, statusLists: lists, clock: clock)
    }

    /// Verifies `token` and requires at least `minimumLevel` (default: the configuration's).
    public func verify(_ token: String, minimumLevel: TrustLevel? = nil)
        async throws(HeraldTokenVerificationError) -> VerifiedAccessToken {
        let (verified, key) = try await verifySignature(token)
        let claims = try TokenClaims(payload: verified.payload)
        let verifiedToken = try check(claims, key: key, now: clock.now())
        if configuration.checksStatus, let statusLists {
            if let reference = verifiedToken.status {
                try await checkStatus(reference, in: statusLists)
            } else if configuration.requiresStatus {
                throw HeraldTokenVerificationError(.malformed, "the token has no status claim; this relying party requires one")
            }
        }
        let required = max(minimumLevel ?? configuration.minimumLevel, configuration.minimumLevel)
        guard verifiedToken.level >= required else {
            throw HeraldTokenVerificationError(.insufficientTrust,
                "the token's trust level is \(verifiedToken.level.name); this operation requires \(required.name)")
        }
        return verifiedToken
    }

    private func verifySignature(_ token: String) async throws(HeraldTokenVerificationError) -> (VerifiedJWS, PublicJWK) {
        guard token.utf8.count <= configuration.maximumTokenBytes else {
            throw HeraldTokenVerificationError(.malformed, "the token is longer than \(configuration.maximumTokenBytes) bytes")
        }
        let unverified: UnverifiedJWS
        do { unverified = try UnverifiedJWS(compact: token) } catch {
            throw HeraldTokenVerificationError(.malformed, "not a compact JWS: \((error as? JOSEError)?.reason ?? "\(error)")")
        }
        let header = unverified.header
        guard let algorithm = SigningAlgorithm(rawValue: header.alg) else {
            throw HeraldTokenVerificationError(.unsupportedAlgorithm,
                "alg \(header.alg) is not accepted; Herald access tokens are ES256 or EdDSA")
        }
        // Media type names are case-insensitive (RFC 7515 §4.1.9); Herald writes lower case.
        guard let typ = header.typ, typ == "at+jwt" || ["at+jwt", "application/at+jwt"].contains(typ.lowercased()) else {
            throw HeraldTokenVerificationError(.wrongType,
                "typ is \(header.typ ?? "(none)"); an access token has typ at+jwt (RFC 9068)")
        }
        let key: PublicJWK
        do { key = try await keys.key(for: header.kid) } catch {
            throw error.code == .unknownKey
                ? HeraldTokenVerificationError(.unknownKey, error.reason)
                : HeraldTokenVerificationError(.jwksUnavailable, error.reason)
        }
        guard key.algorithm == algorithm else {
            throw HeraldTokenVerificationError(.unsupportedAlgorithm,
                "alg \(header.alg) does not match key \(key.kid), which is for \(key.algorithm.rawValue)")
        }
        do { return (try unverified.verify(with: [key]), key) } catch {
            throw HeraldTokenVerificationError(.badSignature, "the signature does not verify with key \(key.kid)")
        }
    }

    private func check(_ claims: TokenClaims, key: PublicJWK, now: Date) throws(HeraldTokenVerificationError)
        -> VerifiedAccessToken {
        guard claims.issuer == configuration.issuer else {
            throw HeraldTokenVerificationError(.wrongIssuer, "iss is \(claims.issuer), expected \(configuration.issuer)")
        }
        guard claims.audiences.contains(where: configuration.audiences.contains) else {
            throw HeraldTokenVerificationError(.wrongAudience,
                "aud is \(claims.audiences.joined(separator: ", ")); this relying party is "
                + configuration.audiences.sorted().joined(separator: ", "))
        }
        let leeway = configuration.leeway.seconds, seconds = now.timeIntervalSince1970
        guard seconds < TimeInterval(claims.expiresAt) + leeway else {
            throw HeraldTokenVerificationError(.expired, "the token expired at \(Self.time(claims.expiresAt)); get a new one")
        }
        if let notBefore = claims.notBefore, TimeInterval(notBefore) > seconds + leeway {
            throw HeraldTokenVerificationError(.notYetValid, "the token is not valid before \(Self.time(notBefore)) (nbf)")
        }
        if let issuedAt = claims.issuedAt, TimeInterval(issuedAt) > seconds + leeway {
            throw HeraldTokenVerificationError(.notYetValid, "the token was issued in the future, at \(Self.time(issuedAt)) (iat)")
        }
        return VerifiedAccessToken(
            claims: claims.value, subject: claims.subject, clientID: claims.clientID, issuer: claims.issuer,
            audiences: claims.audiences, scopes: claims.scopes, trust: claims.trust, roles: claims.roles,
            actors: claims.actors, identityProvider: claims.identityProvider, federatedFrom: claims.federatedFrom,
            tokenID: claims.tokenID, issuedAt: claims.issuedAt.map { Date(timeIntervalSince1970: TimeInterval($0)) },
            expiresAt: Date(timeIntervalSince1970: TimeInterval(claims.expiresAt)), status: claims.status,
            signingKey: key)
    }

    private func checkStatus(_ reference: StatusListReference, in lists: RemoteStatusListCache)
        async throws(HeraldTokenVerificationError) {
        switch try await lists.status(of: reference) {
        case StatusList.Status.valid.rawValue: return
        case StatusList.Status.suspended.rawValue:
            throw HeraldTokenVerificationError(.suspended, "the token's agent is suspended (status list entry \(reference.index))")
        case StatusList.Status.invalid.rawValue:
            throw HeraldTokenVerificationError(.revoked, "the token is revoked (status list entry \(reference.index))")
        case let other:
            // Values past SUSPENDED are reserved by the draft; fail closed.
            throw HeraldTokenVerificationError(.revoked, "the token's status list entry \(reference.index) is \(other), not VALID")
        }
    }

    private static func time(_ seconds: Int64) -> String {
        MCPSTimestamp.format(Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

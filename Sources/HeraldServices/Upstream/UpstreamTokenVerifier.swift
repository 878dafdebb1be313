import AsyncHTTPClient
import Foundation
import HeraldCore
import HeraldJOSE
import HeraldVerifier
import Logging
import Synchronization

/// Verifies a token an upstream identity provider issued (`upstream_idps` of the realm) and
/// maps it to a subject and level (docs/connect-your-idp.md): `iss` equal to a configured
/// issuer, signed by the key of the IdP's JWKS its `kid` names with that key's algorithm
/// (RS256, ES256, EdDSA; never `none` or HMAC), `typ` absent or a JWT/access-token type,
/// `exp` required and in the future, `nbf` and `iat` honoured with ``leeway``, `aud` containing a configured
/// audience, and a roles claim of the right type whose roles map to a level.
///
/// Every refusal is `invalid_grant` with an `error_description` saying what was wrong; an
/// IdP whose keys cannot be had is 503 `temporarily_unavailable`.
package final class UpstreamTokenVerifier: Sendable {
    /// Tolerated clock difference with the IdP for `nbf` and `iat`.
    package static let leeway: TimeInterval = 30
    package static let accessTokenTypes: Set<String> = ["jwt", "at+jwt", "application/at+jwt"]
    package static let maximumSubjectLength = 255

    /// The upstream subject, as this realm sees it.
    package struct Subject: Sendable {
        package let idp: UpstreamIdP
        package let sub: String
        package let roles: [String]
        package let level: TrustLevel
        package let expiresAt: Date
        /// The subject token's RFC 8693 §4.4 `may_act.sub`, if it names who may act.
        package let mayActSub: String?
        /// The kid of the IdP key that verified it (for the audit entry).
        package let kid: String
    }

    package let clock: any HeraldClock
    private let http: HTTPClient
    private let logger: Logger
    /// One key cache per `jwks_uri` (the relying-party library's: max-age within bounds,
    /// single flight, one re-fetch per 10 s for an unknown kid, stale on failure).
    private let remote = Mutex<[String: RemoteJWKSCache]>([:])
    private let inline = Mutex<[String: [ThirdPartyJWK]]>([:])

    /// The bounds of an upstream IdP's key cache: RSA keys are read (most IdPs sign RS256),
    /// and a kid unknown right after a routine fetch still gets its one re-fetch per 10 s.
    package static let cacheConfiguration = RemoteJWKSCache.Configuration(maximumResponseBytes: 512 * 1024, acceptsRSAKeys: true,
                                                                  unknownKeyRefetchCountsEveryFetch: false)

    package init(clock: any HeraldClock, logger: Logger, http: HTTPClient = UpstreamTokenVerifier.httpClient) {
        self.clock = clock
        self.logger = logger
        self.http = http
    }

    /// A verifier with key caches of its own.
    package static func standalone(clock: any HeraldClock) -> UpstreamTokenVerifier {
        UpstreamTokenVerifier(clock: clock, logger: Logger(label: "herald.upstream"))
    }

    /// One client for the life of the process; no connection retries (a down IdP is
    /// reported at once), no redirects (the configured URL is the one trusted).
    package static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(2), read: .seconds(5)))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The key cache of `uri`, created on first use.
    package func cache(for uri: String) throws(ServiceError) -> RemoteJWKSCache {
        // By the string first: URL(string:) costs more than the lookup, on every exchange.
        if let cache = remote.withLock({ $0[uri] }) { return cache }
        guard let url = URL(string: uri) else {
            throw ServiceError(.temporarilyUnavailable,
                               "the jwks_uri of an upstream IdP is not a URL", reason: "upstream jwks_uri \(uri)")
        }
        return remote.withLock { caches in
            if let cache = caches[uri] { return cache }
            if caches.count > 256 { caches.removeAll() }  // realms replaced many times over
            let cache = RemoteJWKSCache(url: url, httpClient: http, configuration: Self.cacheConfiguration,
                                        clock: clock, logger: logger)
            caches[uri] = cache
            return cache
        }
    }

    /// The configured IdP whose issuer `iss` is, exactly.
    package static func idp(issuer iss: String?, in realm: RealmRuntime) -> UpstreamIdP? {
        guard let iss else { return nil }
        return realm.config.upstreamIdPs?.first { $0.issuer == iss }
    }

    package static func invalid(_ description: String, reason: String? = nil) -> ServiceError {
        ServiceError(.invalidGrant, "subject_token: \(description)",
                     reason: reason.map { "subject_token: \($0)" })
    }

    /// `claims`: the JWS's payload as parsed before verification (the same bytes the
    /// signature covers), read only after the signature is verified.
    package func verify(_ jws: UnverifiedJWS, claims: [String: Any], idToken: Bool, idp: UpstreamIdP) async throws(ServiceError)
        -> Subject
    {
        let typ = jws.header.typ?.lowercased()
        if idToken {
            guard typ == nil || typ == "jwt" else {
                throw Self.invalid("subject_token_type is id_token but the token's typ is \(jws.header.typ ?? "")"
                                   + " (an ID token has typ JWT or none)")
            }
        } else if let typ, !Self.accessTokenTypes.contains(typ) {
            throw Self.invalid("typ \(jws.header.typ ?? "") is not taken from an IdP; expected JWT, at+jwt or application/at+jwt")
        }
        do { try jws.checkThirdPartyAlgorithm() } catch { throw Self.invalid(Self.reason(error)) }
        let verified = try await verifySignature(jws, idp: idp)
        return try check(claims, idp: idp, kid: verified.kid)
    }

    /// The signature, with one re-fetch of a remote key set when the kid is unknown.
    package func verifySignature(_ jws: UnverifiedJWS, idp: UpstreamIdP) async throws(ServiceError) -> VerifiedThirdPartyJWS {
        if let uri = idp.jwksURI {
            let cache = try cache(for: uri)
            let set: [ThirdPartyJWK]
            do {
                if let kid = jws.header.kid { set = [try await cache.thirdPartyKey(for: kid)] } else { set = try await cache.thirdPartyKeys() }
            } catch where error.code == .unknownKey {
                throw Self.invalid("no key in the JWKS of upstream IdP \(idp.issuer) has kid \(jws.header.kid ?? ""), also after re-fetching it")
            } catch {
                throw ServiceError(.temporarilyUnavailable,
                                   "the signing keys of upstream IdP \(idp.issuer) could not be fetched; retry shortly",
                                   reason: "upstream JWKS \(uri): \(error)")
            }
            do { return try jws.verify(withThirdParty: set) } catch { throw Self.invalid(Self.reason(error)) }
        }
        let set = try inlineKeys(of: idp)
        do { return try jws.verify(withThirdParty: set) } catch let error as JOSEError where error.code == .unknownKey {
            throw Self.invalid("\(error.reason) (the realm's inline jwks for upstream IdP \(idp.issuer))")
        } catch { throw Self.invalid(Self.reason(error)) }
    }

    private func inlineKeys(of idp: UpstreamIdP) throws(ServiceError) -> [ThirdPartyJWK] {
        let json = idp.jwks ?? ""
        if let parsed = inline.withLock({ $0[json] }) { return parsed }
        do {
            let parsed = try ThirdPartyJWK.parseSet(json: Data(json.utf8)).keys
            inline.withLock { cache in
                if cache.count > 256 { cache.removeAll() }  // realms replaced many times over
                cache[json] = parsed
            }
            return parsed
        } catch {
            throw ServiceError(.temporarilyUnavailable,
                               "the inline jwks of upstream IdP \(idp.issuer) is unusable",
                               reason: "upstream inline jwks: \(error)")
        }
    }

    /// The claims after the signature: issuer, times, audience, subject, roles, level.
    package func check(_ claims: [String: Any], idp: UpstreamIdP, kid: String) throws(ServiceError) -> Subject {
        guard claims["iss"] as? String == idp.issuer else { throw Self.invalid("iss is not \(idp.issuer)") }
        let now = clock.now()
        func date(_ name: String) throws(ServiceError) -> Date? {
            switch UpstreamClaims.date(name, in: claims) {
            case .success(let date): return date
            case .failure(let mismatch): throw Self.invalid("\(name) must be a number of seconds, not \(mismatch.found)")
            }
        }
        guard let exp = try date("exp") else { throw Self.invalid("exp is missing; a token from an IdP must expire") }
        // No leeway on exp, as for this realm's own tokens: a token issued for an expired
        // one would be born expired.
        guard exp > now else {
            throw Self.invalid("the token expired at \(Self.text(exp)) (now \(Self.text(now)))")
        }
        if let nbf = try date("nbf"), nbf.timeIntervalSince(now) > Self.leeway {
            throw Self.invalid("the token is not valid before \(Self.text(nbf)) (now \(Self.text(now)))")
        }
        if let iat = try date("iat"), iat.timeIntervalSince(now) > Self.leeway {
            throw Self.invalid("the token was issued in the future (iat \(Self.text(iat)), now \(Self.text(now))); "
                               + "check the IdP's clock")
        }
        let audience: [String]
        switch claims["aud"] {
        // A string is one audience (RFC 7519 §4.1.3); Glewlwyd writes the granted scopes
        // there, space-separated, so a string is split on spaces.
        case let one as String: audience = one.split(separator: " ").map(String.init)
        case let many as [Any] where many.allSatisfy({ $0 is String }): audience = many.compactMap { $0 as? String }
        case nil: throw Self.invalid("aud is missing; upstream IdP \(idp.issuer) must name \(idp.audience.joined(separator: " or "))")
        default: throw Self.invalid("aud must be a string or an array of strings")
        }
        guard audience.contains(where: idp.audience.contains) else {
            throw Self.invalid("its audience (\(audience.joined(separator: ", "))) contains none of "
                               + "\(idp.audience.joined(separator: ", ")), the audience configured for upstream IdP \(idp.issuer)")
        }
        guard let sub = UpstreamClaims.value(at: idp.subjectClaim, in: claims) as? String, !sub.isEmpty,
              sub.count <= Self.maximumSubjectLength
        else {
            throw Self.invalid("claim \(idp.subjectClaim) (subject_claim) is missing or not a string of 1–"
                               + "\(Self.maximumSubjectLength) characters")
        }
        guard let value = UpstreamClaims.value(at: idp.rolesClaim, in: claims) else {
            throw Self.invalid("the token has no claim \(idp.rolesClaim) (roles_claim), so no role maps to a level")
        }
        let roles: [String]
        switch UpstreamClaims.roles(value) {
        case .success(let list): roles = list
        case .failure(let mismatch):
            throw Self.invalid("claim \(idp.rolesClaim) (roles_claim) must be a space-separated string or an array of "
                               + "strings, not \(mismatch.found)")
        }
        guard let level = idp.level(for: roles) else {
            let shown = roles.prefix(10).joined(separator: ", ") + (roles.count > 10 ? ", …" : "")
            throw Self.invalid("none of the values of \(idp.rolesClaim) (\(roles.isEmpty ? "none" : shown)) is mapped "
                               + "to a level by the role_mappings of upstream IdP \(idp.issuer)")
        }
        let mayAct = (claims["may_act"] as? [String: Any]).map { $0["sub"] as? String ?? "" }
        return Subject(idp: idp, sub: sub, roles: roles, level: level, expiresAt: exp, mayActSub: mayAct, kid: kid)
    }

    package static func text(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    package static func reason(_ error: any Error) -> String { (error as? JOSEError)?.reason ?? "\(error)" }
}

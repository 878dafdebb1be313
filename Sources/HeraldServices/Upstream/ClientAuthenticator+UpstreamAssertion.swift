import Foundation
import HeraldCore
import HeraldJOSE

/// RFC 7523 §3 client authentication with a JWT an upstream IdP issued: a `private_key_jwt`
/// client that declares `assertion_idp` (one of the realm's `upstream_idps`) and
/// `assertion_subject` proves itself with that IdP's token for it (a workload identity),
/// instead of keys of its own (docs/connect-your-idp.md, "Clients that sign in with the IdP").
extension ClientAuthenticator {
    /// Longest lifetime an IdP-issued assertion may have left: IdPs issue workload tokens
    /// for up to an hour (Kubernetes' projected service account tokens by default).
    package static let maxUpstreamAssertionLifetime: TimeInterval = 3600
    package static let upstreamAssertionTypes: Set<String> = ["jwt", "client-authentication+jwt", "at+jwt", "application/at+jwt"]

    /// The client, when `credentials` are an assertion for a client with `assertion_idp`;
    /// nil for every other request (the other methods then decide). The client is named by
    /// `client_id` (the assertion's `sub` is the IdP's name for it, not the client id).
    package func authenticateUpstreamAssertion(_ credentials: Credentials, realm: RealmRuntime) async throws(ServiceError)
        -> ClientProfile?
    {
        guard case .assertion(let jws, let named) = credentials, let clientID = named,
              let profile = realm.profile(clientID: clientID), profile.client.auth == .privateKeyJWT,
              let issuer = profile.client.assertionIdP
        else { return nil }
        func reject(_ reason: String) -> ServiceError {
            .invalidClient(realm: realm.name, reason: "IdP assertion of \(clientID): \(reason)")
        }
        guard let idp = UpstreamTokenVerifier.idp(issuer: issuer, in: realm) else {
            throw reject("its assertion_idp \(issuer) is not in upstream_idps")
        }
        if let typ = jws.header.typ, !Self.upstreamAssertionTypes.contains(typ.lowercased()) {
            throw reject("typ \(typ) is not a JWT")
        }
        guard let claims = UpstreamClaims.object(jws.unverifiedPayload), claims["iss"] as? String == issuer else {
            throw reject("iss is not \(issuer)")
        }
        do { try jws.checkThirdPartyAlgorithm() } catch { throw reject(UpstreamTokenVerifier.reason(error)) }
        do { _ = try await upstream.verifySignature(jws, idp: idp) } catch {
            if error.code == .temporarilyUnavailable { throw error }
            throw reject(error.description)
        }
        // Verified: the claims may be read now.
        guard let sub = claims["sub"] as? String, sub == profile.client.assertionSubject else {
            throw reject("sub \(claims["sub"] as? String ?? "(none)") is not \(profile.client.assertionSubject ?? "")")
        }
        let audience = (claims["aud"] as? String).map { [$0] } ?? (claims["aud"] as? [Any])?.compactMap { $0 as? String } ?? []
        guard audience.contains(where: { $0 == realm.tokenEndpoint || $0 == realm.issuer }) else {
            throw reject("aud \(audience) names neither \(realm.tokenEndpoint) nor \(realm.issuer)")
        }
        let now = clock.now()
        func date(_ name: String) throws(ServiceError) -> Date? {
            guard case .success(let date) = UpstreamClaims.date(name, in: claims) else {
                throw reject("\(name) is not a number")
            }
            return date
        }
        guard let exp = try date("exp"), exp > now else { throw reject("exp is missing or past") }
        guard exp <= now + Self.maxUpstreamAssertionLifetime + Self.leeway else {
            throw reject("expires more than an hour ahead")
        }
        if let nbf = try date("nbf"), nbf > now + Self.leeway { throw reject("not yet valid") }
        if let iat = try date("iat"), iat > now + Self.leeway { throw reject("issued in the future") }
        guard let jti = claims["jti"] as? String, !jti.isEmpty, jti.utf8.count <= 256 else {
            throw reject("jti is missing (an assertion is single-use, so it must have one)")
        }
        try await recordOnce("\(realm.name)|\(clientID)|idp|\(jti)", expiresAt: exp + Self.leeway, now: now,
                             replayed: reject("jti \(jti) was already used"))
        return profile
    }
}

import Foundation
import HeraldCore
import HeraldJOSE
import HeraldServices

/// The upstream-IdP subjects of the RFC 8693 exchange (``TokenExchangeGrant``,
/// docs/connect-your-idp.md): a token of an IdP in the realm's `upstream_idps`, and later a
/// token of this realm exchanged for one (it carries `idp`).
extension TokenEndpoint {
    /// An upstream IdP's access or ID token, verified and mapped to a level; the actor must
    /// be in the IdP's `may_act` and, when the token names one, its own `may_act`.
    /// `claims` is the JWS's payload, parsed once: trusted only once the signature verifies.
    func upstreamSubject(_ jws: UnverifiedJWS, claims: [String: Any], idToken: Bool, idp: UpstreamIdP,
                         actor: ResolvedPrincipal, client: ClientProfile, in realm: RealmRuntime) async throws
        -> TokenExchangeGrant.Subject
    {
        let upstream = try await self.upstream.verify(jws, claims: claims, idToken: idToken, idp: idp)
        try Self.checkMayAct(client: client, idp: idp)
        if let named = upstream.mayActSub, named != client.client.clientID, named != actor.principal.id {
            throw UpstreamTokenVerifier.invalid("its may_act names \(named.isEmpty ? "no sub" : named), not client "
                                                + "\(client.client.clientID); only the actor it names may exchange it")
        }
        // A token whose sub is also a local agent's id could be taken for that agent by an
        // endpoint that reads only sub: refuse to mint one.
        if try await realm.principal(id: upstream.sub) != nil {
            throw UpstreamTokenVerifier.invalid(
                "the upstream subject \(upstream.sub) is also the id of an agent of this realm; refusing a token "
                    + "that could be taken for that agent (use another subject_claim)")
        }
        logger.debug("upstream token verified", metadata: [
            "realm.id": "\(realm.name)", "idp.issuer": "\(idp.issuer)", "key.kid": "\(upstream.kid)",
            "trust.level": "\(upstream.level.name)", "client.id": "\(client.client.clientID)",
        ])
        return .init(sub: upstream.sub, roles: [upstream.level.role], level: upstream.level, score: 0, stage: "",
                     statusIndex: nil, priorActor: nil, federatedFrom: nil, expiresAt: upstream.expiresAt,
                     idp: idp.issuer)
    }

    /// A token of this realm exchanged earlier for an upstream IdP's user: the next hop of a
    /// delegation chain. The level is the one the token carries (capped again by the IdP's
    /// `max_level`); the IdP must still be configured and list this actor in `may_act`.
    func delegatedUpstreamSubject(_ payload: [String: Any], idp issuer: String, priorActor: [UInt8]?, expiresAt: Date,
                                  client: ClientProfile, in realm: RealmRuntime) throws(ServiceError)
        -> TokenExchangeGrant.Subject
    {
        guard let idp = UpstreamTokenVerifier.idp(issuer: issuer, in: realm) else {
            throw UpstreamTokenVerifier.invalid("it was exchanged for a user of upstream IdP \(issuer), which is no "
                                                + "longer in the realm's upstream_idps")
        }
        try Self.checkMayAct(client: client, idp: idp)
        guard let sub = payload["sub"] as? String,
              let mcps = payload["mcps"] as? [String: Any], let number = mcps["trust_level"] as? Int,
              let carried = TrustLevel(rawValue: number)
        else { throw UpstreamTokenVerifier.invalid("the token lacks sub or mcps.trust_level") }
        let level = idp.maxLevel.map { min($0, carried) } ?? carried
        return .init(sub: sub, roles: [level.role], level: level, score: 0, stage: "", statusIndex: nil,
                     priorActor: priorActor, federatedFrom: nil, expiresAt: expiresAt, idp: idp.issuer)
    }

    /// The IdP's `may_act` is checked at every hop: each actor of the chain must be listed.
    static func checkMayAct(client: ClientProfile, idp: UpstreamIdP) throws(ServiceError) {
        guard idp.mayAct.contains(client.client.clientID) else {
            throw UpstreamTokenVerifier.invalid("client \(client.client.clientID) may not act for users of upstream IdP "
                                                + "\(idp.issuer): it is not in that IdP's may_act")
        }
    }
}

import Foundation
import HeraldCore
import HeraldJOSE
import HeraldServices
import Hummingbird

extension TokenEndpoint {
    /// RFC 8693 token exchange (see ``TokenExchangeGrant``).
    func exchange(_ form: [String: String], client: ClientProfile, in realm: RealmRuntime) async throws -> Response {
        // With authorization_details it asks for a capability (TokenEndpoint+Capability).
        if CapabilityRequest.isCapabilityRequest(form) { return try await capability(form, client: client, in: realm) }
        let subjectToken = try TokenExchangeGrant.subjectToken(form)
        let actor = try await realm.resolve(client)
        let (actorDecision, actorRecord) = try await decide(actor, in: realm)
        let idToken = form["subject_token_type"] == TokenExchangeGrant.idTokenType
        let subject = try await subject(of: subjectToken, idToken: idToken, actor: actor, client: client, in: realm)
        let level = min(subject.level, actorDecision.level)
        let scopes = try ClientCredentialsGrant.grantedScopes(
            requested: form["scope"], allowed: realm.allowedScopes(for: client.client, at: level))
        let issued = try issuer.issueExchanged(subject: subject, actor: actor, actorStatusIndex: actorRecord.statusIndex,
                                               client: client.client, level: level, scopes: scopes, in: realm)
        let scope = scopes.joined(separator: " ")
        try await FailClosedAudit.record(
            AuditEvent(type: "token.exchanged", realm: realm.name, time: clock.now(), actor: client.client.clientID,
                       agent: subject.sub, client: client.client.clientID,
                       detail: ["jti": issued.jti, "level": level.name, "kid": issued.kid, "scope": scope,
                                "act": actor.principal.id, "federated_from": subject.federatedFrom ?? "",
                                "idp": subject.idp ?? ""]),
            to: audit, what: "token")
        metrics.tokenIssued(realm: realm.name, grant: "token_exchange", level: level.name)
        return Self.tokenResponse(issued, scope: scope, issuedTokenType: TokenExchangeGrant.accessTokenType)
    }

    /// The subject `token` speaks for: one of this realm's agents (at its level now), a peer's
    /// (at the level granted here), or an upstream IdP's user (at the level its roles map
    /// to). Anything else is `invalid_grant`.
    private func subject(of token: String, idToken: Bool, actor: ResolvedPrincipal, client: ClientProfile,
                         in realm: RealmRuntime) async throws -> TokenExchangeGrant.Subject {
        func invalid(_ reason: String) -> OAuthError {
            OAuthError(status: .badRequest, code: "invalid_grant", description: "subject_token: \(reason)")
        }
        // An upstream IdP's token goes straight to its verifier, with its JWS and payload
        // parsed once (this realm's verifier would refuse its iss anyway).
        if realm.config.upstreamIdPs?.isEmpty == false, let jws = try? UnverifiedJWS(compact: token),
           let claims = UpstreamClaims.object(jws.unverifiedPayload),
           let idp = UpstreamTokenVerifier.idp(issuer: claims["iss"] as? String, in: realm) {
            return try await upstreamSubject(jws, claims: claims, idToken: idToken, idp: idp, actor: actor, client: client,
                                             in: realm)
        }
        // An ID token type for an access token of this realm: said before anything else about it.
        func localIDTokenRefusal() -> OAuthError {
            OAuthError.invalidRequest(
                "subject_token_type must be \(TokenExchangeGrant.accessTokenType) or \(TokenExchangeGrant.jwtType) for "
                    + "an access token of this realm; \(TokenExchangeGrant.idTokenType) is taken only for an upstream "
                    + "IdP's ID token")
        }
        let active: AccessTokenVerifier.Active
        do { active = try tokens.verifyActive(token, in: realm, forHerald: false, book: lifecycle.book) } catch {
            guard case .invalid(let error) = error else {
                if idToken { throw localIDTokenRefusal() }
                throw invalid(error.description)
            }
            // A token naming this realm as its issuer is one of this realm's or nothing: say
            // why it failed here rather than that it is no peer's.
            let iss = FederationService.unverifiedIssuer(token)
            if iss == realm.issuer { throw invalid(error.description) }
            if idToken {
                throw OAuthError.invalidRequest(
                    "subject_token_type must be \(TokenExchangeGrant.accessTokenType) or \(TokenExchangeGrant.jwtType): "
                        + "\(TokenExchangeGrant.idTokenType) is taken only for an ID token of one of the realm's "
                        + "upstream_idps, and the token's issuer \(iss ?? "(none)") is not one")
            }
            switch federation.foreignToken(token, in: realm) {
            case .failure(let rejection):
                if let iss, realm.config.upstreamIdPs?.isEmpty == false,
                   realm.config.federation?.peers.contains(where: { $0.entity == iss }) != true {
                    throw invalid("its issuer \(iss) is neither this realm, a federation peer nor one of the realm's "
                                  + "upstream_idps")
                }
                throw invalid(rejection.description)
            case .success(let foreign):
                return try foreignSubject(foreign, priorActor: nil, expiresAt: foreign.claims?.exp.date ?? clock.now())
            }
        }
        if idToken { throw localIDTokenRefusal() }
        if let stopped = active.stoppedActor { throw invalid(LifecycleBook.stoppedActorDescription(stopped)) }
        let verified = active.verified
        let payload = (try? JSONSerialization.jsonObject(with: Data(verified.payload))) as? [String: Any]
        let prior = payload?["act"]
            .flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) }.map(Array.init)
        if let payload, let idp = payload["idp"] as? String {
            // Exchanged earlier for an upstream IdP's user: still that user, at most at the
            // level that token carries, and only while the IdP is configured and allows the actor.
            return try delegatedUpstreamSubject(payload, idp: idp, priorActor: prior, expiresAt: verified.claims.exp.date,
                                                client: client, in: realm)
        }
        if let entity = verified.claims.federated_from {
            // Exchanged earlier for a peer's agent: still that agent, on the peer's word now,
            // never this realm's agent of the same id.
            switch federation.foreignAgent(verified.claims.sub, entity: entity, in: realm.name) {
            case .failure(let rejection): throw invalid(rejection.description)
            case .success(let foreign):
                return try foreignSubject(foreign, priorActor: prior, expiresAt: verified.claims.exp.date)
            }
        }
        guard let principal = try await realm.principal(id: verified.claims.sub) else {
            throw invalid("agent \(verified.claims.sub) is not in the directory")
        }
        let roles = realm.mapper.effectiveRoles(of: principal)
        let (decision, record) = try await decide(
            ResolvedPrincipal(principal: principal, client: Client(clientID: "", subject: principal.id,
                                                                   auth: .clientSecretBasic),
                              mapper: realm.mapper, issuer: realm.issuer), in: realm)
        return .init(sub: principal.id, roles: roles, level: decision.level, score: decision.score,
                     stage: decision.stage.rawValue, statusIndex: record.statusIndex, priorActor: prior,
                     federatedFrom: nil, expiresAt: verified.claims.exp.date)
    }

    /// A peer's agent as the subject, at the level granted here; `invalid_grant` when the
    /// peer no longer vouches for it (stopped, or a stale view).
    private func foreignSubject(_ foreign: ForeignAgent, priorActor: [UInt8]?, expiresAt: Date) throws(OAuthError)
        -> TokenExchangeGrant.Subject
    {
        if let refusal = foreign.refusal {
            throw OAuthError(status: .badRequest, code: "invalid_grant", description: "subject_token: \(refusal)")
        }
        // The peer's score feeds the federation component of the score here.
        let stage = PipelineStage(rawValue: foreign.entry.pipelineStage) ?? .intake
        var local = AgentLifecycle(agentID: foreign.entry.sub, stage: stage, registeredAt: foreign.entry.updatedAt,
                                   statusIndex: -1)
        local.stage = stage
        let score = TrustScore.value(agent: local, now: clock.now(), federation: foreign.entry.trustScore)
        return .init(sub: foreign.entry.sub, roles: [foreign.level.role], level: foreign.level, score: score,
                     stage: foreign.entry.pipelineStage, statusIndex: nil, priorActor: priorActor,
                     federatedFrom: foreign.entity, expiresAt: expiresAt)
    }
}

import Foundation
import HeraldCore
import HeraldServices
import HTTPTypes
import Hummingbird

extension TokenEndpoint {
    /// A capability request (docs/action-authority.md): an RFC 8693 token exchange with
    /// `authorization_details` (RFC 9396 §6). The authenticated client (the actor) presents an
    /// agent's access token of this realm (its own, or one it acts for) and gets a
    /// `capability+jwt` for exactly the one action on the one resource it names. Every issue
    /// and every refusal is audited (`capability.issued`, `capability.denied`).
    func capability(_ form: [String: String], client: ClientProfile, in realm: RealmRuntime) async throws -> Response {
        do {
            let request = try CapabilityRequest.parse(form, settings: realm.config.effectiveCapabilities)
            let subjectToken = try TokenExchangeGrant.subjectToken(capabilityForm(form))
            let actor = try await realm.resolve(client)
            let (actorDecision, _) = try await decide(actor, in: realm)
            let subject = try await capabilitySubject(subjectToken, in: realm)
            var actors = subject.priorActors
            if actor.principal.id != subject.principal.id { actors.insert(actor.principal.id, at: 0) }
            let level = min(subject.decision.level, actorDecision.level)
            let holder = CapabilityIssuer.Holder(agentID: subject.principal.id, statusIndex: subject.statusIndex,
                                                 clientID: client.client.clientID, actors: actors, level: level)
            let issued = try CapabilityIssuer(clock: clock).issue(request, for: holder, notAfter: subject.expiresAt,
                                                                   in: realm)
            try await FailClosedAudit.record(
                AuditEvent(type: "capability.issued", realm: realm.name, time: clock.now(),
                           actor: client.client.clientID, agent: subject.principal.id, client: client.client.clientID,
                           detail: request.detail.auditFacts.merging(
                               ["jti": issued.jti, "kid": issued.kid, "level": level.name, "ttl": "\(issued.lifetime)",
                                "act": actors.joined(separator: ",")]) { $1 }),
                to: audit, what: "capability")
            metrics.tokenIssued(realm: realm.name, grant: "capability", level: level.name)
            return Self.capabilityResponse(issued, detail: request.detail)
        } catch {
            if let refusal = OAuthError.from(error), !refusal.isTemporarilyUnavailable {
                _ = try? await audit?.record(AuditEvent(
                    type: "capability.denied", realm: realm.name, time: clock.now(), actor: client.client.clientID,
                    agent: nil, client: client.client.clientID, reason: refusal.reason,
                    detail: ["error": refusal.code]))
            }
            throw error
        }
    }

    /// The subject of a capability: one of this realm's agents, as its access token names it,
    /// at its level now. A peer's agent or an upstream IdP's user gets no capability here.
    private func capabilitySubject(_ token: String, in realm: RealmRuntime) async throws -> CapabilitySubject {
        func invalid(_ reason: String) -> OAuthError {
            OAuthError(status: .badRequest, code: "invalid_grant", description: "subject_token: \(reason)")
        }
        let active: AccessTokenVerifier.Active
        do { active = try tokens.verifyActive(token, in: realm, forHerald: false, book: lifecycle.book) } catch {
            throw invalid(error.description)
        }
        if let stopped = active.stoppedActor { throw invalid(LifecycleBook.stoppedActorDescription(stopped)) }
        let claims = active.claims
        if claims.federated_from != nil || claims.idp != nil {
            throw invalid("capabilities are issued for this realm's own agents only, not for a federation peer's "
                          + "agent or an upstream IdP's user")
        }
        guard let principal = try await realm.principal(id: claims.sub) else {
            throw invalid("agent \(claims.sub) is not in the directory")
        }
        let resolved = ResolvedPrincipal(principal: principal, client: Client(clientID: "", subject: principal.id,
                                                                             auth: .clientSecretBasic),
                                         mapper: realm.mapper, issuer: realm.issuer)
        let (decision, record) = try await decide(resolved, in: realm)
        return CapabilitySubject(principal: principal, decision: decision, statusIndex: record.statusIndex,
                                 priorActors: claims.act?.chain ?? [], expiresAt: claims.exp.date)
    }

    /// The form as the exchange's parameter check takes it: a capability request names its
    /// own `requested_token_type`.
    private func capabilityForm(_ form: [String: String]) -> [String: String] {
        var form = form
        form["requested_token_type"] = nil
        return form
    }

    /// RFC 8693 §2.2.1 with RFC 9396 §7's `authorization_details`: the capability is no
    /// access token, so `token_type` is `N_A`. Not cached, as RFC 6749 §5.1 asks of a token.
    static func capabilityResponse(_ issued: CapabilityIssuer.Issued, detail: AuthorizationDetail) -> Response {
        var writer = JSONWriter(capacity: issued.token.utf8.count + 400)
        writer.beginObject()
        writer.member("access_token", issued.token)
        writer.key("authorization_details")
        writer.beginArray()
        detail.write(to: &writer)
        writer.endArray()
        writer.member("expires_in", issued.lifetime)
        writer.member("issued_token_type", CapabilityRequest.issuedTokenType)
        writer.member("token_type", "N_A")
        writer.endObject()
        return .json(writer.bytes, headers: [.cacheControl: "no-store", HTTPField.Name("Pragma")!: "no-cache"])
    }
}

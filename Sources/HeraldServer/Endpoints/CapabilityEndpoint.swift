import Foundation
import HeraldAPI
import HeraldCore
import HeraldServices
import Hummingbird
import Logging

/// Capability consumption and revocation (docs/action-authority.md).
///
/// `POST {issuer}/capabilities/consume`: the resource server about to execute a capability's
/// action (authenticated as a registered client of the realm: HTTP Basic with its secret, or
/// its access token as Bearer) consumes it, once: 200 with what it grants the first time,
/// 409 `capability_used` on a replay (on any replica sharing the store), 400 `invalid_token`
/// when it does not verify, has expired, is revoked, names a stopped agent or is not what the
/// consumer expects. The consumption is committed before its audit entry is written: when the
/// entry cannot be written the answer is 503 and the capability stays used (fail closed: the
/// action is not executed).
///
/// `POST {issuer}/capabilities/revoke`: the client the capability was issued to, or its agent,
/// revokes it (recorded as a revoked token, RFC 7009 style; 200 whether or not it verified).
struct CapabilityEndpoint<Context: RemoteAddressRequestContext>: Sendable {
    let registry: RealmRegistry
    let callers: CallerAuthenticator
    let consumer: CapabilityConsumer
    let lifecycle: LifecycleService
    let audit: (any AuditLog)?
    let logger: Logger

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.post("realms/:realm/capabilities/consume", use: consume)
        routes.post("realms/:realm/capabilities/revoke", use: revoke)
        return routes
    }

    @Sendable func consume(_ request: Request, context: Context) async throws -> Response {
        let realm = try registry.runtime(for: context)
        let caller = try await callers.authenticate(request, realm: realm, peer: context.remoteAddress)
        let body = try await JSONBody.decode(CapabilityConsumeRequest.self, from: request)
        let expected = CapabilityConsumer.Expectation(action: body.action, identifier: body.identifier,
                                                      location: body.location)
        let outcome = try await consumer.consume(body.capability, expecting: expected, in: realm)
        let now = lifecycle.clock.now()
        func event(_ type: String, _ capability: CapabilityVerifier.Verified?, reason: String?) -> AuditEvent {
            var detail = capability?.detail.auditFacts ?? [:]
            detail["jti"] = capability?.jti ?? ""
            detail["consumer"] = caller.clientID
            return AuditEvent(type: type, realm: realm.name, time: now, actor: caller.clientID,
                              agent: capability?.agentID, client: capability?.clientID, reason: reason, detail: detail)
        }
        switch outcome {
        case .consumed(let capability, let at):
            try await FailClosedAudit.record(event("capability.consumed", capability, reason: nil), to: audit,
                                             what: "consumption")
            return try JSONBody.response(CapabilityConsumeResponse(
                jti: capability.jti, agentID: capability.agentID, clientID: capability.clientID,
                detail: capability.detail, consumedAt: at))
        case .replayed(let capability):
            try await FailClosedAudit.record(
                event("capability.replayed", capability, reason: "the capability has already been used"), to: audit,
                what: "refusal")
            throw OAuthError(status: .conflict, code: "capability_used",
                             description: "the capability has already been used; ask for a new one")
        case .refused(let reason, let capability):
            try await FailClosedAudit.record(event("capability.refused", capability, reason: reason), to: audit,
                                             what: "refusal")
            throw OAuthError(status: .badRequest, code: "invalid_token", description: reason)
        }
    }

    @Sendable func revoke(_ request: Request, context: Context) async throws -> Response {
        let realm = try registry.runtime(for: context)
        let caller = try await callers.authenticate(request, realm: realm, peer: context.remoteAddress)
        let body = try await JSONBody.decode(CapabilityRevokeRequest.self, from: request)
        // RFC 7009 §2.2: a token that does not verify or has expired has nothing to revoke.
        guard let capability = try? consumer.verifier.verify(body.capability, in: realm) else {
            return Response(status: .ok, headers: [.cacheControl: "no-store"])
        }
        guard capability.clientID == caller.clientID || capability.agentID == caller.agentID else {
            throw OAuthError(status: .forbidden, code: "access_denied",
                             description: "only the client the capability was issued to, or its agent, may revoke it")
        }
        // Recorded as a revoked token (`token.revoked`), which every replica applies.
        try await FailClosedAudit.write("revocation") {
            try await lifecycle.revokeToken(jti: capability.jti, expiresAt: capability.expiresAt, realm: realm.name,
                                            agent: capability.agentID, client: caller.clientID)
        }
        return Response(status: .ok, headers: [.cacheControl: "no-store"])
    }
}

import Foundation
import HeraldAPI
import HeraldCore
import HeraldJOSE
import HeraldServices
import Hummingbird
import Logging

/// Passport issuance, wire-formats §4 (`POST {issuer}/agents/{id}/passport?format=jwt|mcps`).
///
/// Asked for by the agent itself (its access token as Bearer) or by an admin (a master-realm
/// admin token). The bound key is `public_key` from the body (an EC P-256 public JWK) or the
/// agent's registered `private_key_jwt` key. The body may also name the agent's `version`,
/// `capabilities` (default: its level's scopes) and, for MCPS, the `origin`. A stopped agent
/// gets nothing (403).
struct PassportEndpoint<Context: RequestContext>: Sendable {
    let registry: RealmRegistry
    let tokens: AccessTokenVerifier
    let adminAuth: AdminAuthMiddleware<Context>
    let lifecycle: LifecycleService
    let issuer: PassportIssuer
    let audit: (any AuditLog)?
    let logger: Logger

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.post("realms/:realm/agents/:agent/passport", use: issue)
        return routes
    }

    @Sendable func issue(_ request: Request, context: Context) async throws -> Response {
        let realm = try registry.runtime(for: context)
        let id = try context.parameter("agent")
        let formatName = request.uri.queryParameters.get("format") ?? "jwt"
        guard let format = PassportRecord.Format(rawValue: formatName) else {
            throw OAuthError.invalidRequest("format must be jwt or mcps, not \(formatName)")
        }
        let (actor, clientID) = try authorize(request, agentID: id, in: realm)
        let body = try await JSONBody.decode(PassportRequest.self, from: request, shape: .objectOrEmpty)
        guard let principal = try await realm.principal(id: id) else {
            throw OAuthError.notFound("realm \(realm.name) has no agent \(id)")
        }
        let roles = realm.mapper.effectiveRoles(of: principal)
        let (decision, record) = try await lifecycle.decision(for: principal, directoryLevel: RoleMapper.level(of: roles),
                                                              in: realm)
        if let refusal = decision.refusal {
            throw OAuthError(status: .forbidden, code: "access_denied",
                             description: "no passport for agent \(id): \(refusal.publicDescription)")
        }
        let passportRequest = try Self.passportRequest(body, principal: principal, clientID: clientID,
                                                       level: decision.level, in: realm)
        let (issued, stored) = try await issuer.issue(format, for: principal, decision: decision, record: record,
                                                      request: passportRequest, in: realm)
        try await FailClosedAudit.record(
            AuditEvent(type: "passport.issued", realm: realm.name, time: stored.issuedAt, actor: actor, agent: id,
                       client: clientID, detail: ["passport_id": stored.id, "format": format.rawValue,
                                                  "level": decision.level.name,
                                                  "key": passportRequest.agentKey.thumbprint]),
            to: audit, what: "passport")
        switch issued {
        case .jwt(let token): return try JSONBody.response(JWTPassportResponse(passport: token, passportID: stored.id))
        case .mcps(let json): return .json(json, headers: [.cacheControl: "no-store"])
        }
    }

    /// Who asks: the agent itself (its own token) or an admin. Returns the actor for the audit
    /// entry and the client the agent used, if any.
    private func authorize(_ request: Request, agentID: String, in realm: RealmRuntime) throws(OAuthError)
        -> (actor: String, clientID: String?)
    {
        guard let token = AccessTokenVerifier.bearerToken(request.headers[.authorization]) else {
            throw OAuthError(status: .unauthorized, code: "invalid_token",
                             description: "send the agent's access token (or an admin token) as Bearer",
                             authenticateChallenge: "Bearer realm=\"\(realm.name)\"")
        }
        let active: AccessTokenVerifier.Active?
        do { active = try tokens.verifyActive(token, in: realm, forHerald: true, book: lifecycle.book) } catch {
            guard case .invalid = error else {
                throw OAuthError(status: .unauthorized, code: "invalid_token", description: error.description,
                                 authenticateChallenge: "Bearer realm=\"\(realm.name)\", error=\"invalid_token\"")
            }
            active = nil  // not this realm's token: perhaps an admin's
        }
        if let active {
            let verified = active.verified
            // Checked before sub: an upstream user's token is no agent's, whatever the id asked for.
            if let refusal = verified.claims.notAnAgentCredential {
                throw OAuthError(status: .forbidden, code: "insufficient_scope", description: refusal)
            }
            if let stopped = active.stoppedActor {
                throw OAuthError(status: .forbidden, code: "access_denied",
                                 description: "no passport for agent \(agentID): "
                                    + LifecycleBook.stoppedActorDescription(stopped))
            }
            guard verified.claims.sub == agentID else {
                throw OAuthError(status: .forbidden, code: "insufficient_scope",
                                 description: "an agent may ask for its own passport only")
            }
            // A token exchanged for a peer's agent speaks for that agent, not for this
            // realm's agent of the same id, and a peer's agent gets no passport here.
            if let entity = verified.claims.federated_from {
                throw OAuthError(status: .forbidden, code: "insufficient_scope",
                                 description: "the token speaks for an agent of \(entity); passports are for agents of this realm")
            }
            let client = verified.claims.client_id ?? agentID
            return (client, client)
        }
        return (try adminAuth.authenticate(request), nil)
    }

    /// The agent description and key from the body, with defaults from the directory.
    static func passportRequest(_ body: PassportRequest, principal: Principal, clientID: String?, level: TrustLevel,
                                in realm: RealmRuntime) throws -> PassportIssuer.Request {
        let key: PublicJWK
        if let jwk = body.publicKey {
            do { key = try PublicJWK(json: JSONEncoder().encode(jwk)) } catch {
                throw OAuthError.invalidRequest("public_key: \(error)")
            }
            guard key.algorithm == .es256 else {
                throw OAuthError.invalidRequest("public_key must be an EC P-256 key (MCPS and Agent-Signature use ES256)")
            }
        } else {
            let registered = realm.profiles.values
                .filter { $0.client.subject == principal.id && (clientID == nil || $0.client.clientID == clientID) }
                .flatMap(\.keys).first { $0.algorithm == .es256 }
            guard let registered else {
                throw OAuthError.invalidRequest("agent \(principal.id) has no registered P-256 key; send public_key in the body")
            }
            key = registered
        }
        let capabilities = body.requestedCapabilities ?? realm.levelTable[level].scopes
        guard capabilities.count <= MCPSPassport.maxCapabilities else {
            throw OAuthError.invalidRequest("at most \(MCPSPassport.maxCapabilities) capabilities")
        }
        return PassportIssuer.Request(
            agent: PassportAgent(name: principal.name ?? principal.id, version: body.requestedVersion ?? "unversioned",
                                 capabilities: capabilities),
            agentKey: key, origin: body.origin)
    }
}

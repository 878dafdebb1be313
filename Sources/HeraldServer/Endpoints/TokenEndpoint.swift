import Foundation
import HeraldAPI
import HeraldCore
import HeraldJOSE
import HeraldServices
import HTTPTypes
import Hummingbird
import Logging

/// The token endpoint, RFC 6749 §3.2 (`POST {issuer}/protocol/openid-connect/token`):
/// `client_credentials` with client authentication per wire-formats §3; responses per
/// RFC 6749 §5.1, errors per §5.2.
struct TokenEndpoint<Context: RemoteAddressRequestContext>: Sendable {
    /// Largest accepted form body; larger is 413.
    static var maxBodyBytes: Int { 64 * 1024 }

    let registry: RealmRegistry
    let authenticator: ClientAuthenticator
    let issuer: AccessTokenIssuer
    let lifecycle: LifecycleService
    let tokens: AccessTokenVerifier
    let federation: FederationService
    let metrics: HeraldMetrics
    let audit: (any AuditLog)?
    let clock: any HeraldClock
    let logger: Logger
    /// Verifies the tokens of the realms' upstream IdPs (`upstream_idps`) for the exchange.
    let upstream: UpstreamTokenVerifier

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.post("realms/:realm/protocol/openid-connect/token", use: token)
        return routes
    }

    @Sendable func token(_ request: Request, context: Context) async throws -> Response {
        let realm = try registry.runtime(for: context)
        var request = request
        var form: [String: String] = [:]
        do {
            form = try await FormBody.read(&request, upTo: Self.maxBodyBytes)
            guard let grantType = form["grant_type"] else { throw OAuthError.invalidRequest("grant_type is missing") }
            let client = try await authenticator.authenticate(request, form: form, realm: realm,
                                                              peer: context.remoteAddress, directory: true)
            if grantType == TokenExchangeGrant.grantType { return try await exchange(form, client: client, in: realm) }
            guard grantType == ClientCredentialsGrant.grantType else {
                throw OAuthError(status: .badRequest, code: "unsupported_grant_type",
                                 description: "grant_type \(grantType) is not supported; use client_credentials or "
                                     + TokenExchangeGrant.grantType)
            }
            let principal = try await realm.resolve(client)
            let (decision, record) = try await decide(principal, in: realm)
            let scopes = try ClientCredentialsGrant.grantedScopes(
                requested: form["scope"], allowed: realm.allowedScopes(for: client.client, at: decision.level))
            let issued = try issuer.issue(for: principal, decision: decision, statusIndex: record.statusIndex,
                                          scopes: scopes, in: realm)
            let scope = scopes.joined(separator: " ")
            let agentID = principal.principal.id
            // The token leaves only once its audit entry is durable (fail closed).
            try await FailClosedAudit.record(
                AuditEvent(type: "token.issued", realm: realm.name, time: clock.now(), actor: client.client.clientID,
                           agent: agentID, client: client.client.clientID,
                           detail: ["jti": issued.jti, "level": decision.level.name, "kid": issued.kid, "scope": scope]),
                to: audit, what: "token")
            metrics.tokenIssued(realm: realm.name, grant: "client_credentials", level: decision.level.name)
            logger.debug("token issued", metadata: [
                "realm.id": "\(realm.name)", "client.id": "\(client.client.clientID)", "agent.id": "\(agentID)",
                "trust.level": "\(decision.level.name)", "key.kid": "\(issued.kid)",
            ])
            return Self.tokenResponse(issued, scope: scope)
        } catch {
            // Protocol refusals (this endpoint's and the services') are counted and audited;
            // anything else is a 500 and propagates as it is.
            guard let error = OAuthError.from(error) else { throw error }
            metrics.tokenDenied(realm: realm.name, reason: error.code)
            // A refusal during a lockout (429) is in the audit log as the lockout's own
            // rate-limited entries, so that a flood of them cannot flood the log.
            if !error.isTemporarilyUnavailable, error.status != .tooManyRequests {
                // Only denials need the claimed (unauthenticated) client id, so it is worked
                // out here rather than on every request.
                let clientID = ClientAuthenticator.claimedClientID(request, form: form)
                _ = try? await audit?.record(AuditEvent(
                    type: "token.denied", realm: realm.name, time: clock.now(), actor: clientID ?? "anonymous",
                    client: clientID, reason: error.reason, detail: ["error": error.code]))
            }
            logger.info("token denied", metadata: [
                "realm.id": "\(realm.name)", "oauth.error": "\(error.code)", "reason": "\(error.reason)",
            ])
            throw error
        }
    }

    /// The agent's trust decision; a refusal (kill switch, SUSPENDED, REVOKED) denies issuance.
    func decide(_ principal: ResolvedPrincipal, in realm: RealmRuntime) async throws(OAuthError)
        -> (TrustDecision, AgentLifecycle)
    {
        let result: (TrustDecision, AgentLifecycle)
        do {
            result = try await lifecycle.decision(for: principal.principal, directoryLevel: principal.directoryLevel, in: realm)
        } catch {
            throw .temporarilyUnavailable("the agent's trust state could not be read; retry shortly",
                                          reason: "lifecycle: \(error)")
        }
        if let refusal = result.0.refusal {
            throw OAuthError(status: .badRequest, code: "unauthorized_client",
                             description: "no token for agent \(principal.principal.id): \(refusal.publicDescription)",
                             reason: refusal.description)
        }
        return result
    }

    /// RFC 6749 §5.1 body (``TokenResponse``); a token exchange adds RFC 8693 §2.2.1
    /// `issued_token_type`.
    static func tokenResponse(_ issued: AccessTokenIssuer.Issued, scope: String, issuedTokenType: String? = nil)
        -> Response
    {
        let body = TokenResponse(accessToken: issued.token, issuedTokenType: issuedTokenType, expiresIn: issued.lifetime,
                                 scope: scope)
        return .json(body.json, headers: [.cacheControl: "no-store", .pragma: "no-cache"])
    }
}

extension HTTPField.Name {
    /// RFC 6749 §5.1 asks for `Pragma: no-cache` beside `Cache-Control: no-store`. (A valid
    /// field name, so the initializer cannot fail.)
    fileprivate static let pragma = HTTPField.Name("Pragma")!
}

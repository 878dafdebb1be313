import Foundation
import HeraldAPI
import HeraldCore
import HeraldServices
import Hummingbird
import Logging

/// Token introspection, RFC 7662 (`POST {issuer}/protocol/openid-connect/token/introspect`).
///
/// The caller authenticates as a registered client of the realm, as at the token endpoint.
/// A token is active only while it verifies, has not expired, has not been revoked (RFC 7009)
/// and its agent is not stopped (kill switch, SUSPENDED, REVOKED): a kill shows here on the
/// very next request. The same holds for every agent acting in it (`act`). A token
/// exchanged for an upstream IdP's user answers with its `idp`, and is active only while the
/// realm still lists that IdP. Anything else is `{"active": false}` and nothing more (§2.2).
struct IntrospectionEndpoint<Context: RemoteAddressRequestContext>: Sendable {
    let registry: RealmRegistry
    let authenticator: ClientAuthenticator
    let tokens: AccessTokenVerifier
    let book: LifecycleBook
    let federation: FederationService
    let logger: Logger

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.post("realms/:realm/protocol/openid-connect/token/introspect", use: introspect)
        return routes
    }

    @Sendable func introspect(_ request: Request, context: Context) async throws -> Response {
        let realm = try registry.runtime(for: context)
        var request = request
        let form = try await FormBody.read(&request, upTo: TokenEndpoint<Context>.maxBodyBytes)
        let caller = try await authenticator.authenticate(request, form: form, realm: realm, peer: context.remoteAddress)
        guard let token = form["token"], !token.isEmpty else { throw OAuthError.invalidRequest("token is missing") }
        guard let answer = activeAnswer(token, in: realm) else {
            logger.debug("introspection: inactive token", metadata: ["realm.id": "\(realm.name)",
                                                                     "client.id": "\(caller.client.clientID)"])
            return try JSONBody.response(IntrospectionResponse.inactive)
        }
        return try JSONBody.response(answer)
    }

    /// The token's claims with `active: true`, or nil when it is not active now.
    func activeAnswer(_ token: String, in realm: RealmRuntime) -> IntrospectionResponse? {
        let active: AccessTokenVerifier.Active
        do { active = try tokens.verifyActive(token, in: realm, forHerald: false, book: book) } catch {
            guard case .invalid = error else { return nil }  // revoked
            return foreignAnswer(token, in: realm)
        }
        let verified = active.verified
        if let entity = verified.claims.federated_from {
            // Exchanged for a peer's agent: active only while the peer vouches for it.
            guard case .success(let foreign) = federation.foreignAgent(verified.claims.sub, entity: entity, in: realm.name),
                  foreign.refusal == nil
            else { return nil }
        }
        if let idp = verified.claims.idp {
            // An upstream user's token: its sub is no agent here (never looked up as one), and
            // it is active only while the realm still takes that IdP.
            guard UpstreamTokenVerifier.idp(issuer: idp, in: realm) != nil else { return nil }
        } else if book.standing(realm: realm.name, agentID: verified.claims.sub, org: nil).isStopped {
            return nil
        }
        if active.stoppedActor != nil { return nil }
        guard let claims = Self.claims(verified.payload) else { return nil }
        return .active(claims: claims)
    }

    /// A peer's token (wire-formats §7): active while the peer vouches for the agent and its
    /// bundle is fresh, marked `foreign` with the peer in `federated_from` and the level
    /// granted here in `local_trust_level`.
    func foreignAnswer(_ token: String, in realm: RealmRuntime) -> IntrospectionResponse? {
        guard case .success(let agent) = federation.foreignToken(token, in: realm), agent.refusal == nil,
              let payload = agent.payload, let claims = Self.claims(payload)
        else { return nil }
        var answer = IntrospectionResponse.active(claims: claims)
        answer.foreign = true
        answer.federatedFrom = agent.entity
        answer.localTrustLevel = agent.level.rawValue
        return answer
    }

    /// A verified token's payload as its claims (a payload that is no JSON object: none).
    static func claims(_ payload: some Sequence<UInt8>) -> [String: OpaqueJSON]? {
        try? JSONDecoder().decode([String: OpaqueJSON].self, from: Data(payload))
    }
}

import Foundation
import HeraldCore
import HeraldServices
import Hummingbird
import Logging

/// Token revocation, RFC 7009 (`POST {issuer}/protocol/openid-connect/revoke`).
///
/// The caller authenticates as at the token endpoint and may revoke only tokens issued to
/// it (§2.1). Tokens that do not verify or have expired are answered 200 like any other
/// (§2.2: nothing to revoke). A revoked token is inactive at introspection from the next
/// request on and stays recorded until it expires.
struct RevocationEndpoint<Context: RemoteAddressRequestContext>: Sendable {
    let registry: RealmRegistry
    let authenticator: ClientAuthenticator
    let tokens: AccessTokenVerifier
    let lifecycle: LifecycleService
    let logger: Logger

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.post("realms/:realm/protocol/openid-connect/revoke", use: revoke)
        return routes
    }

    @Sendable func revoke(_ request: Request, context: Context) async throws -> Response {
        let realm = try registry.runtime(for: context)
        var request = request
        let form = try await FormBody.read(&request, upTo: TokenEndpoint<Context>.maxBodyBytes)
        let caller = try await authenticator.authenticate(request, form: form, realm: realm, peer: context.remoteAddress)
            .client.clientID
        guard let token = form["token"], !token.isEmpty else { throw OAuthError.invalidRequest("token is missing") }
        if let hint = form["token_type_hint"], hint != "access_token" {
            // §2.2.1: refresh tokens do not exist here; the hint is only a hint, so go on.
            logger.debug("revocation: token_type_hint \(hint) ignored", metadata: ["realm.id": "\(realm.name)"])
        }
        guard let verified = try? tokens.verify(token, in: realm, forHerald: false), let jti = verified.claims.jti else {
            return Response(status: .ok)
        }
        guard verified.claims.client_id == caller else {
            throw OAuthError(status: .badRequest, code: "unauthorized_client",
                             description: "the token was not issued to this client")
        }
        try await FailClosedAudit.write("revocation") {
            try await lifecycle.revokeToken(jti: jti, expiresAt: verified.claims.exp.date, realm: realm.name,
                                            agent: verified.claims.sub, client: caller)
        }
        return Response(status: .ok, headers: [.cacheControl: "no-store"])
    }
}

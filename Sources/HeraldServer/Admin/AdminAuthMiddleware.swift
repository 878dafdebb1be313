import Foundation
import HeraldCore
import HeraldJOSE
import HeraldServices
import Hummingbird

/// Requires a bearer access token from the `master` realm carrying role `herald-admin`
/// (wire-formats §9): 401 without a valid token or with one its client revoked (RFC 7009),
/// 403 without the role.
struct AdminAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: RealmRegistry
    let clock: any HeraldClock
    /// Where RFC 7009 revocations of master-realm tokens are kept.
    let book: LifecycleBook

    private struct Claims: Decodable {
        struct RealmAccess: Decodable { var roles: [String] }
        var iss: String
        var sub: String
        var aud: ClientAssertionClaims.Audience
        var exp: ClientAssertionClaims.NumericDate
        var nbf: ClientAssertionClaims.NumericDate?
        // swiftlint:disable:next identifier_name
        var realm_access: RealmAccess?
        // swiftlint:disable:next identifier_name
        var client_id: String?
        var jti: String?
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let actor = try authenticate(request)
        return try await AdminActor.$current.withValue(actor) { try await next(request, context) }
    }

    /// The admin client id of a request bearing a master-realm admin token.
    func authenticate(_ request: Request) throws(OAuthError) -> String {
        func unauthorized(_ description: String) -> OAuthError {
            OAuthError(status: .unauthorized, code: "invalid_token", description: description,
                       authenticateChallenge: "Bearer realm=\"\(MasterRealm.name)\", error=\"invalid_token\"")
        }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw OAuthError(status: .unauthorized, code: "invalid_token",
                             description: "a bearer token from the master realm is required: run `herald login`",
                             authenticateChallenge: "Bearer realm=\"\(MasterRealm.name)\"")
        }
        guard let master = registry.runtime(named: MasterRealm.name) else {
            throw OAuthError(status: .serviceUnavailable, code: "temporarily_unavailable", description: "no master realm")
        }
        let verified: VerifiedJWS
        do {
            verified = try UnverifiedJWS(compact: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
                .verify(with: master.keyRing.published.keys)
        } catch { throw unauthorized("the token is not signed by the master realm") }
        guard verified.header.typ == "at+jwt" else { throw unauthorized("the token is not an access token") }
        guard let claims = try? JSONDecoder().decode(Claims.self, from: Data(verified.payload)) else {
            throw unauthorized("the token lacks iss, sub, aud or exp")
        }
        let now = clock.now()
        guard claims.iss == master.issuer, claims.aud.values.contains(master.issuer) else {
            throw unauthorized("the token was not issued by the master realm for its administration")
        }
        guard claims.exp.date > now else { throw unauthorized("the token has expired: log in again") }
        if let nbf = claims.nbf, nbf.date > now + 30 { throw unauthorized("the token is not valid yet") }
        if let jti = claims.jti, book.isRevoked(realm: MasterRealm.name, jti: jti) {
            throw unauthorized("the token has been revoked")
        }
        guard claims.realm_access?.roles.contains(MasterRealm.adminRole) == true else {
            throw OAuthError(status: .forbidden, code: "insufficient_scope",
                             description: "the token lacks role \(MasterRealm.adminRole)")
        }
        return claims.client_id ?? claims.sub
    }
}

import Foundation
import HeraldCore
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
            throw .temporarilyUnavailable("no master realm")
        }
        let active: AccessTokenVerifier.Active
        do {
            active = try AccessTokenVerifier(clock: clock).verifyActive(
                String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces), in: master, forHerald: true, book: book)
        } catch { throw unauthorized(Self.refusal(error)) }
        let claims = active.claims
        guard claims.realm_access?.roles.contains(MasterRealm.adminRole) == true else {
            throw OAuthError(status: .forbidden, code: "insufficient_scope",
                             description: "the token lacks role \(MasterRealm.adminRole)")
        }
        return claims.client_id ?? claims.sub
    }

    /// The admin API's wording of a refused token (docs/admin-api.md): one of the master
    /// realm, whose holder logs in again with `herald login`.
    private static func refusal(_ inactive: AccessTokenVerifier.Inactive) -> String {
        guard case .invalid(let rejection) = inactive else { return inactive.description }
        return switch rejection.check {
        case .signature: "the token is not signed by the master realm"
        case .type: "the token is not an access token"
        case .claims: "the token lacks iss, sub, aud or exp"
        case .issuer, .audience: "the token was not issued by the master realm for its administration"
        case .expiry: "the token has expired: log in again"
        case .notBefore: "the token is not valid yet"
        }
    }
}

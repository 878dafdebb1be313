import Foundation
import HeraldCore
import HeraldServices
import Hummingbird

/// Federation documents, wire-formats §7: the OpenID Federation 1.0 entity configuration
/// (`GET {issuer}/.well-known/openid-federation`, `application/entity-statement+jwt`) and
/// the signed trust bundle (`GET {issuer}/federation/bundle[?since=SEQUENCE]`,
/// `application/trust-bundle+jwt`; a delta when `since` is a sequence the realm can answer
/// for, else the full bundle).
struct FederationEndpoint<Context: RequestContext>: Sendable {
    let registry: RealmRegistry
    let federation: FederationService

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("realms/:realm/.well-known/openid-federation", use: entityConfiguration)
        routes.get("realms/:realm/federation/bundle", use: bundle)
        return routes
    }

    @Sendable func entityConfiguration(_ request: Request, context: Context) async throws -> Response {
        let realm = try registry.runtime(for: context)
        return Self.jwt(try federation.entityStatement(realm), type: "application/entity-statement+jwt", maxAge: 300)
    }

    @Sendable func bundle(_ request: Request, context: Context) async throws -> Response {
        let realm = try registry.runtime(for: context)
        var since: Int64?
        if let text = request.uri.queryParameters.get("since") {
            guard let value = Int64(text), value >= 0 else {
                throw OAuthError.invalidRequest("since must be a bundle sequence number")
            }
            since = value
        }
        return Self.jwt(try await federation.bundle(realm, since: since), type: "application/trust-bundle+jwt", maxAge: 0)
    }

    static func jwt(_ token: String, type: String, maxAge: Int) -> Response {
        Response(status: .ok,
                 headers: [.contentType: type, .cacheControl: maxAge > 0 ? "public, max-age=\(maxAge)" : "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: token)))
    }
}

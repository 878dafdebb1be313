import HeraldJOSE
import HeraldServices
import Hummingbird

/// RFC 7517 §5 key set of a realm: prepared, active and retired keys (wire-formats §1).
/// Served at `{issuer}/.well-known/agent-trust-keys`, `{issuer}/protocol/openid-connect/certs`
/// and, for the default realm, `{base}/.well-known/agent-trust-keys`, with a strong ETag.
///
/// The body and both answers' headers are rendered once per published key set
/// (``RenderedDocuments``, keyed by the key ring's ETag and the max-age): a request copies
/// them, it encodes nothing.
struct JWKSEndpoint<Context: RequestContext>: Sendable {
    let registry: RealmRegistry
    let rendered = RenderedDocuments<JWKSSource>()

    /// What a realm's rendered key set depends on.
    struct JWKSSource: Equatable, Sendable {
        let etag: String
        let maxAge: Int
    }

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("realms/:realm/.well-known/agent-trust-keys", use: keys)
        routes.get("realms/:realm/protocol/openid-connect/certs", use: keys)
        routes.get(".well-known/agent-trust-keys", use: keys)
        return routes
    }

    @Sendable func keys(_ request: Request, context: Context) async throws -> Response {
        let realm = try registry.runtime(for: context)
        return document(for: realm).response(ifNoneMatch: request.headers[.ifNoneMatch])
    }

    /// The realm's key set as served now.
    func document(for realm: RealmRuntime) -> RenderedDocument {
        let published = realm.keyRing.published
        let maxAge = realm.jwksMaxAge
        return rendered.document(realm: realm.name, source: JWKSSource(etag: published.etag, maxAge: maxAge)) {
            RenderedDocument(body: published.body, cacheControl: "public, max-age=\(maxAge)", etag: published.etag)
        }
    }
}

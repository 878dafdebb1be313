import Hummingbird

/// RFC 7517 §5 key set of a realm: prepared, active and retired keys (wire-formats §1).
/// Served at `{issuer}/.well-known/agent-trust-keys`, `{issuer}/protocol/openid-connect/certs`
/// and, for the default realm, `{base}/.well-known/agent-trust-keys`, with a strong ETag.
struct JWKSEndpoint<Context: RequestContext>: Sendable {
    let registry: RealmRegistry

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("realms/:realm/.well-known/agent-trust-keys", use: keys)
        routes.get("realms/:realm/protocol/openid-connect/certs", use: keys)
        routes.get(".well-known/agent-trust-keys", use: keys)
        return routes
    }

    @Sendable func keys(_ request: Request, context: Context) async throws -> Response {
        let realm = try registry.runtime(for: context)
        let published = realm.keyRing.published
        var headers: HTTPFields = [
            .cacheControl: "public, max-age=\(realm.jwksMaxAge)",
            .eTag: published.etag,
        ]
        if let condition = request.headers[.ifNoneMatch], Self.matches(condition, etag: published.etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: published.body)))
    }

    /// RFC 9110 §13.1.2: a list of entity tags or `*`, compared weakly.
    static func matches(_ condition: String, etag: String) -> Bool {
        condition.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }
}

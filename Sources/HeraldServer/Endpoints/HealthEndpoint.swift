import Hummingbird

/// Liveness (`/health/live`: the process answers) and readiness (`/health/ready`: every
/// realm has an active signing key), for orchestrators; and `/metrics` for Prometheus.
struct HealthEndpoint<Context: RequestContext>: Sendable {
    let registry: RealmRegistry
    let metrics: HeraldMetrics

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("health/live") { _, _ in Response.json(#"{"status":"ok"}"#.utf8) }
        routes.get("health/ready", use: ready)
        routes.get("metrics", use: exposition)
        return routes
    }

    @Sendable func ready(_ request: Request, context: Context) async throws -> Response {
        let unready = registry.all.filter { $0.keyRing.signer(for: $0.config.signingAlgorithm) == nil }.map(\.name)
        guard unready.isEmpty, !registry.all.isEmpty else {
            let detail = unready.isEmpty ? "no realms loaded" : "no signing key in \(unready.joined(separator: ", "))"
            return .json(#"{"status":"unavailable","reason":"\#(detail)"}"#.utf8, status: .serviceUnavailable)
        }
        return .json(#"{"status":"ok"}"#.utf8)
    }

    @Sendable func exposition(_ request: Request, context: Context) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
    }
}

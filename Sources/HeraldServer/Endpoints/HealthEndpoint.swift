import Foundation
import HeraldAPI
import Hummingbird

/// Liveness (`/health/live`: the process answers), readiness (`/health/ready`: every part a
/// request needs works, per component; see ``Readiness``), for orchestrators; and `/metrics`
/// for Prometheus.
struct HealthEndpoint<Context: RequestContext>: Sendable {
    let readiness: Readiness
    let metrics: HeraldMetrics

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("health/live") { _, _ in Response.json(try JSONBody.encode(HealthStatus.live)) }
        routes.get("health/ready", use: ready)
        routes.get("metrics", use: exposition)
        return routes
    }

    /// 200 `{"status":"ready","checks":{…}}`, or 503 with `not_ready` when a required check failed.
    @Sendable func ready(_ request: Request, context: Context) async throws -> Response {
        let (ready, checks) = await readiness.evaluate()
        return try JSONBody.response(HealthStatus(status: ready ? "ready" : "not_ready", checks: checks.mapValues(\.body)),
                                     status: ready ? .ok : .serviceUnavailable)
    }

    @Sendable func exposition(_ request: Request, context: Context) async throws -> Response {
        await readiness.refreshGauges()
        _ = await readiness.evaluate()
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
    }
}

import Hummingbird

/// Counts requests and records latency by matched route (not raw path, so realm names and
/// probes for random URLs cannot blow up the series count).
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: HeraldMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status.code, since: start)
            return response
        } catch {
            record(request, context, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: start)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int, since start: ContinuousClock.Instant) {
        metrics.requestCompleted(route: context.endpointPath ?? "unmatched", method: request.method.rawValue,
                                 status: status, duration: ContinuousClock.now - start)
    }
}

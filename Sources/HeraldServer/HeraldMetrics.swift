import Prometheus

/// Herald's Prometheus metrics, served at `/metrics`.
///
/// A registry of its own rather than the global swift-metrics backend: several servers can
/// then run in one test process, and the exposition contains only Herald's series.
public final class HeraldMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private static let latencyBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(5),
    ]

    public init() {}

    func requestCompleted(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(name: "herald_http_requests_total",
                             labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        registry.makeDurationHistogram(name: "herald_http_request_duration_seconds", labels: [("route", route)],
                                       buckets: Self.latencyBuckets).recordNanoseconds(duration.nanoseconds)
    }

    func tokenIssued(realm: String, level: String) {
        registry.makeCounter(name: "herald_tokens_issued_total", labels: [("realm", realm), ("level", level)]).increment()
    }

    func tokenDenied(realm: String, reason: String) {
        registry.makeCounter(name: "herald_tokens_denied_total", labels: [("realm", realm), ("reason", reason)]).increment()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

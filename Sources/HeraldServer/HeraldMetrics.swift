import Prometheus
import Synchronization

/// Herald's Prometheus metrics, served at `/metrics`.
///
/// A registry of its own rather than the global swift-metrics backend: several servers can
/// then run in one test process, and the exposition contains only Herald's series. Handles
/// are cached per label set, so a request costs one small lock and a dictionary lookup
/// instead of the registry's label validation and sorting.
public final class HeraldMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    // MetricNameDescriptor is not Sendable, so the descriptors are computed, not stored.
    private static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "herald", metricName: "http_requests", unitName: "total",
            helpText: "HTTP requests by matched route, method and status.")
    }
    private static var latency: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "herald", metricName: "http_request_duration", unitName: "seconds",
            helpText: "HTTP request latency by matched route.")
    }
    private static var issued: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "herald", metricName: "tokens_issued", unitName: "total",
            helpText: "Access tokens issued by realm and trust level.")
    }
    private static var denied: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "herald", metricName: "tokens_denied", unitName: "total",
            helpText: "Token requests denied by realm and OAuth error code.")
    }
    private static let latencyBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(5),
    ]

    private struct RequestKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    private let requestCounters = Mutex<[RequestKey: Counter]>([:])
    private let latencyHistograms = Mutex<[String: DurationHistogram]>([:])
    private let tokenCounters = Mutex<[[String]: Counter]>([:])

    public init() {}

    func requestCompleted(route: String, method: String, status: Int, duration: Duration) {
        let key = RequestKey(route: route, method: method, status: status)
        let counter = requestCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(descriptor: Self.requests, labels: [
                ("route", route), ("method", method), ("status", String(status)),
            ])
            counters[key] = counter
            return counter
        }
        counter.increment()
        let histogram = latencyHistograms.withLock { histograms in
            if let histogram = histograms[route] { return histogram }
            let histogram = registry.makeDurationHistogram(descriptor: Self.latency, labels: [("route", route)],
                                                           buckets: Self.latencyBuckets)
            histograms[route] = histogram
            return histogram
        }
        histogram.recordNanoseconds(duration.nanoseconds)
    }

    func tokenIssued(realm: String, level: String) { tokenCounter(Self.issued, ("realm", realm), ("level", level)) }

    func tokenDenied(realm: String, reason: String) { tokenCounter(Self.denied, ("realm", realm), ("reason", reason)) }

    private func tokenCounter(_ descriptor: MetricNameDescriptor, _ first: (String, String), _ second: (String, String)) {
        let key = [descriptor.name, first.1, second.1]
        tokenCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(descriptor: descriptor, labels: [first, second])
            counters[key] = counter
            return counter
        }.increment()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

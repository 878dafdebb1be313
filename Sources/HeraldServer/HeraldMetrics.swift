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
            helpText: "HTTP requests by matched route, method and status class (2xx, 4xx, ...).")
    }
    private static var latency: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "herald", metricName: "http_request_duration", unitName: "seconds",
            helpText: "HTTP request latency by matched route.")
    }
    private static var issued: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "herald", metricName: "tokens_issued", unitName: "total",
            helpText: "Access tokens issued by realm, grant (client_credentials, token_exchange) and trust level.")
    }
    private static var denied: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "herald", metricName: "token_denials", unitName: "total",
            helpText: "Token requests denied by realm and OAuth error code.")
    }
    private static var authFailures: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "herald", metricName: "client_auth_failures", unitName: "total",
            helpText: "Failed client authentications (wrong secret, bad assertion, refused LDAP bind, unknown client) by realm.")
    }
    private static var lockouts: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "herald", metricName: "client_auth_lockouts", unitName: "total",
            helpText: "Lockouts started by failed client authentications, by realm and scope (client, address).")
    }
    private static var lockoutRefusals: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "herald", metricName: "client_auth_locked_refusals", unitName: "total",
            helpText: "Client authentications refused unchecked (429) during a lockout, by realm and scope.")
    }
    private static var lockedNow: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "herald", metricName: "client_auth_locked", unitName: "",
            helpText: "Client ids and source addresses locked out now, by realm and scope.")
    }
    private static var reportsLimited: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "herald", metricName: "outcome_reports_rate_limited", unitName: "total",
            helpText: "Outcome reports refused (429) by the per-caller rate, by realm.")
    }
    static let latencyBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(5),
    ]

    private struct RequestKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    /// `2xx`, `4xx`, … for each status code (a bounded label; the exact code is in the access log).
    static func statusClass(_ status: Int) -> String {
        switch status {
        case 100..<200: "1xx"
        case 200..<300: "2xx"
        case 300..<400: "3xx"
        case 400..<500: "4xx"
        default: "5xx"
        }
    }

    private let requestCounters = Mutex<[RequestKey: Counter]>([:])
    private let latencyHistograms = Mutex<[String: DurationHistogram]>([:])
    private let tokenCounters = Mutex<[[String]: Counter]>([:])
    private let lockGauges = Mutex<[[String]: Gauge]>([:])
    /// Gauges and histograms of the observability metrics (HeraldMetrics+Observability), by
    /// metric name and label values.
    let gauges = Mutex<[[String]: Gauge]>([:])
    let histograms = Mutex<[[String]: DurationHistogram]>([:])
    /// Run before each exposition, to bring gauges of state held elsewhere up to date.
    private let collectors = Mutex<[@Sendable (HeraldMetrics) -> Void]>([])

    public init() {}

    func requestCompleted(route: String, method: String, status: Int, duration: Duration) {
        let key = RequestKey(route: route, method: method, status: status / 100)
        let counter = requestCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(descriptor: Self.requests, labels: [
                ("route", route), ("method", method), ("status_class", Self.statusClass(status)),
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

    func tokenIssued(realm: String, grant: String, level: String) {
        counter(Self.issued, [("realm", realm), ("grant", grant), ("level", level)])
    }

    func tokenDenied(realm: String, reason: String) { tokenCounter(Self.denied, ("realm", realm), ("reason", reason)) }

    package func clientAuthFailed(realm: String) { counter(Self.authFailures, [("realm", realm)]) }

    package func lockoutStarted(realm: String, scope: String) { counter(Self.lockouts, [("realm", realm), ("scope", scope)]) }

    package func lockedRefusal(realm: String, scope: String) {
        counter(Self.lockoutRefusals, [("realm", realm), ("scope", scope)])
    }

    package func outcomeReportLimited(realm: String) { counter(Self.reportsLimited, [("realm", realm)]) }

    /// Sets the locked-now gauge of `scope` to `counts` per realm (0 for realms no longer in it).
    package func setLocked(scope: String, counts: [String: Int]) {
        lockGauges.withLock { gauges in
            for (key, gauge) in gauges where key[0] == scope && counts[key[1]] == nil { gauge.set(Int64(0)) }
            for (realm, count) in counts {
                let key = [scope, realm]
                let gauge = gauges[key] ?? registry.makeGauge(descriptor: Self.lockedNow,
                                                              labels: [("realm", realm), ("scope", scope)])
                gauges[key] = gauge
                gauge.set(Int64(count))
            }
        }
    }

    /// Registers `collector` to run before every exposition.
    func addCollector(_ collector: @escaping @Sendable (HeraldMetrics) -> Void) {
        collectors.withLock { $0.append(collector) }
    }

    /// The Prometheus text exposition, gauges brought up to date first.
    public func exposition() -> [UInt8] {
        for collector in collectors.withLock({ $0 }) { collector(self) }
        return registry.emitToBuffer()
    }

    private func tokenCounter(_ descriptor: MetricNameDescriptor, _ first: (String, String), _ second: (String, String)) {
        let key = [descriptor.name, first.1, second.1]
        tokenCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(descriptor: descriptor, labels: [first, second])
            counters[key] = counter
            return counter
        }.increment()
    }

    /// A counter, cached by name and label values like the token counters.
    func counter(_ descriptor: MetricNameDescriptor, _ labels: [(String, String)], by amount: Int64 = 1) {
        let key = [descriptor.name] + labels.map(\.1)
        tokenCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(descriptor: descriptor, labels: labels)
            counters[key] = counter
            return counter
        }.increment(by: amount)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

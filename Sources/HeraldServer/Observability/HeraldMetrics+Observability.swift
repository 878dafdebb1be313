import Prometheus

/// The metrics an operator alerts on beyond HTTP and tokens: audit writer, signing keys,
/// LDAP, federation, the MCP gate and readiness (docs/operations.md#metrics).
///
/// Every label is bounded by configuration (realms, kids, peers, configured tools), never
/// by what a client sends.
extension HeraldMetrics {
    // MetricNameDescriptor is not Sendable, so the descriptors are computed, not stored.
    static var auditWrite: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "herald", metricName: "audit_write_duration", unitName: "seconds",
                             helpText: "Time to commit one audit batch (group commit, fsync included).")
    }
    static var auditErrors: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "herald", metricName: "audit_write_errors", unitName: "total",
                             helpText: "Audit batches that could not be written (their requests failed closed).")
    }
    static var auditQueue: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "herald", metricName: "audit_queue_depth", unitName: "",
                             helpText: "Audit entries waiting for the writer (bounded; beyond it callers wait).")
    }
    static var keyAge: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "herald", metricName: "signing_key_age", unitName: "seconds",
                             helpText: "Seconds since the active signing key of a realm and algorithm was activated.")
    }
    static var keyNextRotation: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "herald", metricName: "signing_key_next_rotation", unitName: "seconds",
                             helpText: "Seconds until the active key is due to be replaced (negative: overdue).")
    }
    static var ldapLatency: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "herald", metricName: "ldap_request_duration", unitName: "seconds",
                             helpText: "LDAP operations (search, bind, ping) by realm, connection set-up and retry included.")
    }
    static var ldapErrors: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "herald", metricName: "ldap_errors", unitName: "total",
                             helpText: "LDAP operations that failed (server down, timeout, refused), by realm.")
    }
    static var ldapHits: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "herald", metricName: "ldap_cache_hits", unitName: "total",
                             helpText: "Agent lookups answered from the LDAP cache or synchronised copy, by realm.")
    }
    static var ldapMisses: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "herald", metricName: "ldap_cache_misses", unitName: "total",
                             helpText: "Agent lookups that went to the LDAP server, by realm.")
    }
    static var ldapUp: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "herald", metricName: "ldap_up", unitName: "",
                             helpText: "1 when the realm's last LDAP operation or readiness probe succeeded, else 0.")
    }
    static var bundleAge: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "herald", metricName: "federation_bundle_age", unitName: "seconds",
                             helpText: "Seconds since a peer's last good trust bundle (absent before the first).")
    }
    static var bundleStale: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "herald", metricName: "federation_bundle_stale", unitName: "",
                             helpText: "1 when a peer has no good bundle younger than its max_staleness, else 0.")
    }
    static var refusals: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "herald", metricName: "federation_refusals", unitName: "total",
                             helpText: "Peer bundle refreshes that failed, by realm, peer and reason (a refusal code or unreachable).")
    }
    static var gateDecisions: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "herald", metricName: "gate_decisions", unitName: "total",
                             helpText: "MCP gate decisions (ALLOW, DENY) by tool (a configured tool or pattern, else other).")
    }
    static var ready: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "herald", metricName: "ready", unitName: "",
                             helpText: "1 when the last readiness evaluation passed, else 0.")
    }
    static var checkUp: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "herald", metricName: "readiness_check_up", unitName: "",
                             helpText: "1 when a readiness check passed at the last evaluation, else 0, by check.")
    }

    // MARK: Audit

    /// One audit batch committed in `duration`.
    func auditBatchCommitted(duration: Duration) {
        histogram(Self.auditWrite, []).recordNanoseconds(duration.nanoseconds)
    }

    /// One audit batch that could not be written.
    func auditBatchFailed() { counter(Self.auditErrors, []) }

    func setAuditQueueDepth(_ depth: Int) { gauge(Self.auditQueue, []).set(Int64(depth)) }

    // MARK: LDAP

    /// Creates the realm's LDAP series at zero, so rates and alerts work before the first event.
    func registerLDAP(realm: String) {
        for descriptor in [Self.ldapErrors, Self.ldapHits, Self.ldapMisses] {
            counter(descriptor, [("realm", realm)], by: 0)
        }
        _ = histogram(Self.ldapLatency, [("realm", realm)])
    }

    func ldapRequest(realm: String, duration: Duration, failed: Bool) {
        histogram(Self.ldapLatency, [("realm", realm)]).recordNanoseconds(duration.nanoseconds)
        if failed { counter(Self.ldapErrors, [("realm", realm)]) }
    }

    func ldapCache(realm: String, hit: Bool) { counter(hit ? Self.ldapHits : Self.ldapMisses, [("realm", realm)]) }

    // MARK: Federation and gate

    package func federationRefused(realm: String, peer: String, reason: String) {
        counter(Self.refusals, [("realm", realm), ("peer", peer), ("reason", reason)])
    }

    func gateDecision(_ decision: String, tool: String) {
        counter(Self.gateDecisions, [("decision", decision), ("tool", tool)])
    }

    // MARK: Gauges of state held elsewhere (set before each exposition)

    /// Replaces every series of `descriptor` with `values` (label values → value): series
    /// whose labels are gone (a revoked key, a removed peer) are unregistered, not left stale.
    func setGauges(_ descriptor: MetricNameDescriptor, labelNames: [String], _ values: [[String]: Double]) {
        gauges.withLock { gauges in
            for (key, gauge) in gauges where key.first == descriptor.name && values[Array(key.dropFirst())] == nil {
                registry.unregisterGauge(gauge)
                gauges[key] = nil
            }
            for (labels, value) in values {
                let key = [descriptor.name] + labels
                let gauge = gauges[key] ?? registry.makeGauge(descriptor: descriptor,
                                                              labels: Array(zip(labelNames, labels)))
                gauges[key] = gauge
                gauge.set(value)
            }
        }
    }

    // MARK: Handles

    func gauge(_ descriptor: MetricNameDescriptor, _ labels: [(String, String)]) -> Gauge {
        let key = [descriptor.name] + labels.map(\.1)
        return gauges.withLock { gauges in
            if let gauge = gauges[key] { return gauge }
            let gauge = registry.makeGauge(descriptor: descriptor, labels: labels)
            gauges[key] = gauge
            return gauge
        }
    }

    func histogram(_ descriptor: MetricNameDescriptor, _ labels: [(String, String)]) -> DurationHistogram {
        let key = [descriptor.name] + labels.map(\.1)
        return histograms.withLock { histograms in
            if let histogram = histograms[key] { return histogram }
            let histogram = registry.makeDurationHistogram(descriptor: descriptor, labels: labels,
                                                           buckets: Self.latencyBuckets)
            histograms[key] = histogram
            return histogram
        }
    }
}

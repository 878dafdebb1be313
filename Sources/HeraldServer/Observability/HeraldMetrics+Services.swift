import HeraldDirectory
import HeraldServices

/// What the domain services count, into the Prometheus registry.
extension HeraldMetrics: ServiceMetrics {
    package func beforeExposition(_ collector: @escaping @Sendable (any ServiceMetrics) -> Void) {
        addCollector { collector($0) }
    }

    package func observeLDAP(_ monitor: LDAPMonitor, realm: String) {
        registerLDAP(realm: realm)
        monitor.observe(LDAPMetricsObserver(metrics: self, realm: realm))
    }
}

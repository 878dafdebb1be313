import HeraldDirectory

/// Feeds one realm's LDAP operations and cache lookups into ``HeraldMetrics``.
struct LDAPMetricsObserver: LDAPMonitor.Observer {
    let metrics: HeraldMetrics
    let realm: String

    func operation(duration: Duration, failed: Bool) {
        metrics.ldapRequest(realm: realm, duration: duration, failed: failed)
    }

    func cacheLookup(hit: Bool) { metrics.ldapCache(realm: realm, hit: hit) }
}

import HeraldDirectory

/// The counters and gauges the domain services feed. The HTTP module's Prometheus registry
/// (`HeraldMetrics`) conforms; the services never see the registry, only what they count.
package protocol ServiceMetrics: Sendable {
    /// A failed client authentication (wrong secret, bad assertion, refused bind, unknown client).
    func clientAuthFailed(realm: String)
    /// A brute-force lockout started; `scope` is `client` or `address`.
    func lockoutStarted(realm: String, scope: String)
    /// An authentication refused unchecked during a lockout.
    func lockedRefusal(realm: String, scope: String)
    /// An outcome report refused by the per-caller rate.
    func outcomeReportLimited(realm: String)
    /// The number of keys of `scope` locked out now, per realm.
    func setLocked(scope: String, counts: [String: Int])
    /// Runs `collector` before every exposition, so gauges read from live state are current.
    func beforeExposition(_ collector: @escaping @Sendable (any ServiceMetrics) -> Void)
    /// A peer's trust bundle was refused; `reason` is the refusal code.
    func federationRefused(realm: String, peer: String, reason: String)
    /// Counts `monitor`'s LDAP operations and cache lookups under `realm`.
    func observeLDAP(_ monitor: LDAPMonitor, realm: String)
}

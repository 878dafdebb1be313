import HeraldCore
import Yams

/// `brute_force`: lockout after failed client authentications, per client and per source
/// address, and the outcome-report rate (docs/configuration.md, "brute_force").
extension RealmFileParser {
    static let lockoutKeys = ["enabled", "max_failures", "wait_increment", "max_wait", "failure_reset"]
    static let bruteForceKeys = lockoutKeys + ["per_address", "event_rate"]

    func parseBruteForce(_ node: Node) -> BruteForceSettings? {
        let path = "brute_force"
        guard let fields = reader.mapping(node, path, allowed: Self.bruteForceKeys) else { return nil }
        var settings = BruteForceSettings()
        if let node = fields["enabled"] { settings.enabled = reader.bool(node, "\(path).enabled") ?? true }
        // The section's own `enabled` switches both lockouts; the client lockout has no other.
        settings.client = parseLockout(fields, node, path: path, defaults: .clientDefault, readsEnabled: false)
        if let node = fields["per_address"],
           let address = reader.mapping(node, "\(path).per_address", allowed: Self.lockoutKeys) {
            settings.address = parseLockout(address, node, path: "\(path).per_address", defaults: .addressDefault,
                                            readsEnabled: true)
        }
        if let node = fields["event_rate"], let text = reader.string(node, "\(path).event_rate") {
            if text == "off" {
                settings.eventRate = nil
            } else if let rate = BruteForceSettings.Rate.parse(text), rate.count <= 1_000_000 {
                settings.eventRate = rate
            } else {
                reader.issue(node, "\(path).event_rate",
                             "'\(text)' is not a rate; write a count per s, min or h (1 to 1000000), e.g. 60/min, or off")
            }
        }
        return settings
    }

    /// The lockout keys of one mapping; keys left out keep `defaults`.
    private func parseLockout(_ fields: [String: Node], _ node: Node, path: String,
                              defaults: BruteForceSettings.Lockout, readsEnabled: Bool) -> BruteForceSettings.Lockout {
        var lockout = defaults
        if readsEnabled, let node = fields["enabled"] {
            lockout.enabled = reader.bool(node, "\(path).enabled") ?? true
        }
        if let node = fields["max_failures"] {
            lockout.maxFailures = reader.int(node, "\(path).max_failures", range: 1...100_000) ?? defaults.maxFailures
        }
        if let node = fields["wait_increment"] {
            lockout.waitIncrementSeconds = reader.duration(node, "\(path).wait_increment", atLeast: 1, atMost: 86400)
                ?? defaults.waitIncrementSeconds
        }
        if let node = fields["max_wait"] {
            lockout.maxWaitSeconds = reader.duration(node, "\(path).max_wait", atLeast: 1, atMost: 30 * 86400)
                ?? defaults.maxWaitSeconds
        }
        if let node = fields["failure_reset"] {
            lockout.failureResetSeconds = reader.duration(node, "\(path).failure_reset", atLeast: 60, atMost: 365 * 86400)
                ?? defaults.failureResetSeconds
        }
        if lockout.maxWaitSeconds < lockout.waitIncrementSeconds {
            reader.issue(fields["max_wait"] ?? fields["wait_increment"] ?? node, "\(path).max_wait",
                         "must be at least wait_increment (\(DurationText.format(lockout.waitIncrementSeconds)))")
        }
        if lockout.failureResetSeconds <= lockout.maxWaitSeconds {
            // Failures are forgotten after failure_reset without one; a lock at least that
            // long would forget the run it ends, and the next try would start a fresh one.
            reader.issue(fields["failure_reset"] ?? fields["max_wait"] ?? node, "\(path).failure_reset",
                         "must be longer than max_wait (\(DurationText.format(lockout.maxWaitSeconds))), "
                             + "or the failures would be forgotten by the time a lock ends")
        }
        return lockout
    }
}

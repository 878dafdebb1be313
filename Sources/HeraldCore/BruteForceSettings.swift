/// A realm's `brute_force` section (docs/configuration.md): how failed client
/// authentications lock a client and a source address out, after Keycloak's brute-force
/// detection, and how fast one caller may send outcome reports.
public struct BruteForceSettings: Sendable, Hashable, Codable {
    /// When a run of failures locks something out, and for how long.
    ///
    /// The failures are counted until none has happened for `failureResetSeconds`. From the
    /// `maxFailures`-th on, each failure locks for `waitIncrementSeconds × (1 + failures −
    /// maxFailures)`, at most `maxWaitSeconds` (Keycloak's linear strategy).
    public struct Lockout: Sendable, Hashable, Codable {
        public var enabled: Bool
        public var maxFailures: Int
        public var waitIncrementSeconds: Int
        public var maxWaitSeconds: Int
        public var failureResetSeconds: Int

        public init(enabled: Bool = true, maxFailures: Int, waitIncrementSeconds: Int = 60, maxWaitSeconds: Int = 900,
                    failureResetSeconds: Int = 12 * 3600) {
            self.enabled = enabled
            self.maxFailures = maxFailures
            self.waitIncrementSeconds = waitIncrementSeconds
            self.maxWaitSeconds = maxWaitSeconds
            self.failureResetSeconds = failureResetSeconds
        }

        /// How long the `failures`-th failure in a run locks for; 0 below the threshold.
        public func waitSeconds(afterFailures failures: Int) -> Int {
            guard failures >= maxFailures else { return 0 }
            let (wait, overflow) = (failures - maxFailures + 1).multipliedReportingOverflow(by: waitIncrementSeconds)
            return overflow ? maxWaitSeconds : min(maxWaitSeconds, wait)
        }

        /// Keycloak's defaults: 30 failures, 1 minute more per failure, at most 15 minutes,
        /// forgotten after 12 hours without a failure.
        public static let clientDefault = Lockout(maxFailures: 30)
        /// A source address may fail more often than one client before it is locked: it may
        /// be a gateway in front of many agents.
        public static let addressDefault = Lockout(maxFailures: 100)

        enum CodingKeys: String, CodingKey {
            case enabled
            case maxFailures = "max_failures"
            case waitIncrementSeconds = "wait_increment"
            case maxWaitSeconds = "max_wait"
            case failureResetSeconds = "failure_reset"
        }
    }

    /// At most `count` requests per `periodSeconds`, with bursts of up to `count` (a token
    /// bucket refilled at `count / periodSeconds` per second).
    public struct Rate: Sendable, Hashable, Codable {
        public var count: Int
        public var periodSeconds: Int

        public init(count: Int, periodSeconds: Int) {
            self.count = count
            self.periodSeconds = periodSeconds
        }

        /// `60/min`, `5/s`, `1000/h`.
        public var text: String {
            "\(count)/" + (periodSeconds == 1 ? "s" : periodSeconds == 60 ? "min" : "h")
        }

        /// The units a rate may be written in, and their length in seconds.
        public static let units: [String: Int] = ["s": 1, "min": 60, "h": 3600]

        /// The rate in `text`, or nil when it is not `N/s`, `N/min` or `N/h` with N ≥ 1.
        public static func parse(_ text: String) -> Rate? {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let count = Int(parts[0]), count > 0, parts[0].allSatisfy(\.isASCII),
                  let period = units[String(parts[1])]
            else { return nil }
            return Rate(count: count, periodSeconds: period)
        }
    }

    /// False turns both lockouts off (outcome reports are still limited by `eventRate`).
    public var enabled: Bool
    /// Failures of one client id, whoever sends them.
    public var client: Lockout
    /// Failures from one source address, whichever client they name.
    public var address: Lockout
    /// Outcome reports per reporting caller; nil means unlimited.
    public var eventRate: Rate?

    public init(enabled: Bool = true, client: Lockout = .clientDefault, address: Lockout = .addressDefault,
                eventRate: Rate? = Rate(count: 60, periodSeconds: 60)) {
        self.enabled = enabled
        self.client = client
        self.address = address
        self.eventRate = eventRate
    }

    /// What a realm without a `brute_force` section gets.
    public static let defaults = BruteForceSettings()

    enum CodingKeys: String, CodingKey {
        case enabled, client
        case address = "per_address"
        case eventRate = "event_rate"
    }
}

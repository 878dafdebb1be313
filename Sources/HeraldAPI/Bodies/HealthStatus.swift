/// The answer of `/health/live` (`{"status":"ok"}`) and `/health/ready`: `ready` or
/// `not_ready`, with one object per component check (its `status` and details).
public struct HealthStatus: Sendable, Hashable, Codable {
    public var status: String
    public var checks: [String: OpaqueJSON]?

    public init(status: String, checks: [String: OpaqueJSON]? = nil) {
        self.status = status
        self.checks = checks
    }

    /// `/health/live`: the process answers.
    public static let live = HealthStatus(status: "ok")
}

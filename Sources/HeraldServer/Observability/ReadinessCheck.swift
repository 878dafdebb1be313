/// One component's part of `/health/ready`: whether it passed, whether a failure makes the
/// server unready, and the details shown in the body.
struct ReadinessCheck: Sendable {
    var ok: Bool
    /// A failed required check answers 503; a failed optional one is only reported.
    var required = true
    /// Members of the check's JSON object besides `status` (strings, numbers, bools, nested).
    var details: [String: any Sendable] = [:]

    /// `ok`, `fail` or, for an optional check that failed, `degraded`.
    var status: String { ok ? "ok" : (required ? "fail" : "degraded") }

    var json: [String: Any] {
        var object: [String: Any] = details.mapValues { value -> Any in
            if let nested = value as? ReadinessCheck { return nested.json }
            return value
        }
        object["status"] = status
        return object
    }
}

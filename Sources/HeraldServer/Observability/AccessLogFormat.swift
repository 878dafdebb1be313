/// How `herald serve` writes its access log (`--access-log`, `HERALD_ACCESS_LOG`).
public enum AccessLogFormat: String, Sendable, CaseIterable {
    /// `key=value` fields on one line, values with spaces or quotes quoted.
    case text
    /// One JSON object per line.
    case json
    /// No access log.
    case off
}

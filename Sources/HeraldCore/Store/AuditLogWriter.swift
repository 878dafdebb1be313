/// An audit log written by a background writer with group commit: what readiness, metrics and
/// a clean shutdown need beyond ``AuditLog``.
public protocol AuditLogWriter: AuditLog {
    /// The writer's state now (cheap).
    var health: AuditWriterHealth { get }

    /// Calls `observer` after every batch with the commit's duration and whether it failed.
    /// One observer; a later call replaces it.
    func observeBatches(_ observer: @escaping @Sendable (Duration, Bool) -> Void)

    /// Waits until every event submitted so far is durable (the log stays open).
    func flush() async

    /// Waits until every submitted event is durable, then refuses new ones: no entry whose
    /// `record` was acknowledged, or is still waiting, is lost. Call it when the server stops.
    func shutdown() async
}

import HeraldCore

/// "The answer leaves only once its audit entry is durable" (fail closed): an endpoint whose
/// answer grants or changes something (a token, a passport, a gate decision, a revocation)
/// writes its audit entry first, and answers 503 `temporarily_unavailable` when it cannot.
enum FailClosedAudit {
    /// Writes `event`; a failure is 503 saying that `what` could not be recorded. Without an
    /// audit log (tests that build an endpoint alone) there is nothing to write.
    static func record(_ event: @autoclosure () -> AuditEvent, to audit: (any AuditLog)?, what: String)
        async throws(OAuthError)
    {
        guard let audit else { return }
        let event = event()
        try await write(what) { try await audit.record(event) }
    }

    /// Runs `write`, a change that records its own audit entry (a revocation); any failure is
    /// 503 saying that `what` could not be recorded, with the cause kept for the log.
    @discardableResult
    static func write<T>(_ what: String, _ write: () async throws -> T) async throws(OAuthError) -> T {
        do { return try await write() } catch {
            throw .temporarilyUnavailable("the \(what) could not be recorded; retry shortly", reason: "audit: \(error)")
        }
    }
}

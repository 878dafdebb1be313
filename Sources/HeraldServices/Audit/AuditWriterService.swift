import HeraldCore
import Logging
import ServiceLifecycle

/// The audit log's writer as a ServiceLifecycle service, so the server's shutdown includes it:
/// on graceful shutdown (or cancellation) it waits until every entry the writer has accepted
/// is committed (``AuditLogWriter/flush()``). No entry whose `record` returned is lost, and
/// none that was still queued either.
///
/// Put it FIRST in the service list: a ServiceGroup stops services in reverse order, so the
/// HTTP listeners, the key rotation and the final audit checkpoint all finish (and record
/// what they did) before the writer flushes. The log is flushed, not closed: an
/// application's services may run again in the same process (HummingbirdTesting runs them
/// for each `test` call), and the server's own entries at start-up are recorded before any
/// service runs. ``closeOnShutdown`` closes it as well, for a process that ends with the group.
package struct AuditWriterService: Service {
    let audit: any AuditLogWriter
    let logger: Logger
    /// Also refuse new entries once flushed (``AuditLogWriter/shutdown()``).
    let closeOnShutdown: Bool

    /// A service that flushes `audit` (and with `closeOnShutdown`, closes it) when the server stops.
    package init(audit: any AuditLogWriter, logger: Logger, closeOnShutdown: Bool = false) {
        self.audit = audit
        self.logger = logger
        self.closeOnShutdown = closeOnShutdown
    }

    package func run() async throws {
        // Thrown on cancellation: the log is flushed and closed all the same.
        try? await gracefulShutdown()
        let health = audit.health
        logger.debug("audit writer stopping", metadata: ["audit.pending": "\(health.pending + health.waiting)"])
        if closeOnShutdown { await audit.shutdown() } else { await audit.flush() }
    }
}

import Foundation
import HeraldCore
import HeraldJOSE
import Logging
import ServiceLifecycle

/// Signs a checkpoint of every realm's audit chain on a fixed interval (with the realm's
/// signing key, `typ: audit-checkpoint+jwt`), and once more on shutdown. The log itself
/// needs no flush: every `record` returns only after its entry is committed.
public struct AuditCheckpointService: Service {
    package let registry: RealmRegistry
    /// Any backend's log: `checkpoint` is part of the ``AuditLog`` protocol.
    package let audit: any AuditLog
    package let clock: any HeraldClock
    package let interval: Duration
    package let logger: Logger

    package init(registry: RealmRegistry, audit: any AuditLog, clock: any HeraldClock, interval: Duration,
                 logger: Logger) {
        self.registry = registry
        self.audit = audit
        self.clock = clock
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while true {
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { break }
            await checkpoint()
        }
        await checkpoint()
    }

    /// One checkpoint per realm with new entries.
    public func checkpoint() async {
        for realm in registry.all {
            guard let signer = realm.keyRing.signer(for: realm.config.signingAlgorithm) else { continue }
            do {
                _ = try await audit.checkpoint(realm: realm.name, at: clock.now()) { payload in
                    try signer.sign(claims: payload, typ: AuditCheckpoint.jwsType)
                }
            } catch {
                logger.error("audit checkpoint failed; will retry", metadata: ["realm.id": "\(realm.name)", "error": "\(error)"])
            }
        }
    }
}

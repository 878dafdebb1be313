import HeraldServices
import ServiceLifecycle

/// Composition step 5: the background services, in the order the service group starts them
/// (it stops them in reverse), each stopping on graceful shutdown.
struct BackgroundServices {
    let keyService: KeyRotationService
    let checkpointService: AuditCheckpointService?
    /// Everything the application runs besides its listeners.
    let all: [any Service]

    static func make(_ configuration: ServerConfiguration, services: DomainServices) -> BackgroundServices {
        let (registry, logger) = (services.registry, services.logger)
        let (lifecycle, federation) = (services.lifecycle, services.federation)
        let keyService = KeyRotationService(registry: registry, manager: services.keyManager,
                                            interval: configuration.keyCheckInterval, logger: logger)
        let checkpointService = services.audit.map {
            AuditCheckpointService(registry: registry, audit: $0, clock: services.clock,
                                   interval: configuration.auditCheckpointInterval, logger: logger)
        }
        let ldapSync = LDAPSyncService(directories: services.directories, interval: configuration.ldapSyncCheckInterval,
                                       logger: logger)
        let refreshService = FederationRefreshService(federation: federation, registry: registry,
                                                      tick: configuration.federationRefreshCheckInterval)
        // The audit writer first: services stop in reverse order, so it closes after everything
        // that records (the listeners, key rotation, the last checkpoint) has stopped.
        let auditWriter: [any Service] = services.audit.map { [AuditWriterService(audit: $0, logger: logger)] } ?? []
        // What other replicas change, applied here (with the in-process feeds every change is
        // this replica's own, so they apply nothing; a shared feed slots in without more wiring).
        let followers: [any Service] = [
            LifecycleFollower(lifecycle: lifecycle),
            RealmFollower(loader: services.realmLoader, logger: logger),
        ]
        let all: [any Service] = auditWriter + [keyService, ldapSync, refreshService] + followers
            + (checkpointService.map { [$0] } ?? [])
        return BackgroundServices(keyService: keyService, checkpointService: checkpointService, all: all)
    }
}

import Foundation
import HeraldCore
import HeraldJOSE
import HeraldServices
import Logging

/// Composition step 3: the domain services (HeraldServices) every endpoint and background
/// service shares, with every served realm's keys brought up to date and its runtime,
/// lifecycle book and federation state loaded.
struct DomainServices {
    let store: any Store
    /// The replay cache, change feeds and bundle sequence every replica on the store shares.
    let shared: SharedState
    /// Digests client secrets (from the master key).
    let hasher: SecretHasher
    let registry: RealmRegistry
    /// nil when the audit log is off (`--audit-log off`).
    let audit: (any AuditLogWriter)?
    let metrics: HeraldMetrics
    let keyManager: KeyManager
    let lifecycle: LifecycleService
    let federation: FederationService
    let directories: DirectoryProvider
    /// Builds and installs a realm from the store (at start, and for the realm follower).
    let realmLoader: RealmLoader
    let clock: any HeraldClock
    let logger: Logger

    static func build(_ configuration: ServerConfiguration, opened: OpenedStore, realms: ServedRealms,
                      clock: any HeraldClock, logger: Logger) async throws -> DomainServices {
        let store = opened.store, sealer = opened.masterKey.keySealer
        // A shared store's feeds are subscribed before any realm is loaded (the in-process
        // ones carry only this replica's own changes: nothing to miss).
        let shared = store.sharedState() == nil ? SharedState.of(store) : try await SharedState.of(store).subscribedEarly()
        let registry = RealmRegistry(defaultRealm: realms.defaultRealm, changes: shared.realmChanges,
                                     replica: shared.replica)
        let audit = configuration.auditLog ? store.makeAuditLog(settings: configuration.auditWriter, logger: logger) : nil
        let metrics = HeraldMetrics()
        audit?.observeBatches { duration, failed in
            if failed { metrics.auditBatchFailed() } else { metrics.auditBatchCommitted(duration: duration) }
        }
        if audit == nil { logger.warning("the audit log is OFF: decisions are not recorded (benchmarks only)") }
        // Key changes go out on the realm feed: another replica reloads the realm, keys and JWKS.
        let keyManager = KeyManager(store: store, sealer: sealer, clock: clock, logger: logger, audit: audit,
                                    changes: shared.realmChanges, replica: shared.replica)
        let lifecycle = LifecycleService(store: store, book: LifecycleBook(), audit: audit, clock: clock, logger: logger,
                                         changes: shared.lifecycleChanges, replica: shared.replica)
        let federation = FederationService(
            keys: FederationKeys(store: store, sealer: sealer, clock: clock, audit: audit, logger: logger),
            peerStore: store, registry: registry, book: lifecycle.book, clock: clock, logger: logger,
            http: FederationService.httpClient, metrics: metrics, sequences: shared.federationSequence)
        let directories = DirectoryProvider(clock: clock, logger: logger, dataDirectory: configuration.dataDirectory,
                                            metrics: metrics)
        let realmLoader = RealmLoader(registry: registry, store: store, keyManager: keyManager, directories: directories,
                                      publicURL: configuration.publicURL) { name in
            try await lifecycle.load(realm: name)
            try await federation.load(realm: name)
        }
        for name in realms.names { try await realmLoader.load(realm: name) }
        return DomainServices(store: store, shared: shared, hasher: opened.masterKey.secretHasher, registry: registry,
                              audit: audit, metrics: metrics, keyManager: keyManager, lifecycle: lifecycle,
                              federation: federation, directories: directories, realmLoader: realmLoader,
                              clock: clock, logger: logger)
    }
}

import HeraldCore
import HeraldServices
import Hummingbird
import Logging

/// A composed Herald server: the HTTP application and the parts tests and tools drive.
public struct Herald: Sendable {
    public typealias App = Application<RouterResponder<HeraldRequestContext>>

    public let application: App
    public let registry: RealmRegistry
    public let keyService: KeyRotationService
    public let keyManager: KeyManager
    /// The store, as configuration chose it (``ServerConfiguration/storeLocation``).
    public let store: any Store
    public let metrics: HeraldMetrics
    /// The audit log; nil when it is off (`--audit-log off`).
    public let audit: (any AuditLogWriter)?
    public let checkpointService: AuditCheckpointService?
    /// Every route the router serves, as `METHOD /path/{parameter}` (Hummingbird's notation):
    /// what docs/openapi.yaml must describe, no more and no less (OpenAPICoverageTests).
    public let routes: [String]
    /// The brute-force limits of client authentication (and the outcome-report rate).
    public let limiter: AuthenticationLimiter
}

/// The composition root (architecture convention 5), in five steps (Composition/): open the
/// store and the master key, import the realms, build the domain services (every realm's keys
/// brought up to date), add the routes, then the background services and the listeners.
///
/// `accessLogSink` receives the access log lines instead of standard output (tests).
public func buildHerald(configuration: ServerConfiguration, clock: any HeraldClock = SystemClock(),
                        logger: Logger, accessLogSink: (@Sendable (String) -> Void)? = nil) async throws -> Herald {
    let opened = try await OpenedStore.open(configuration, logger: logger)
    let realms = try await ServedRealms.load(configuration, from: opened, logger: logger)
    let services = try await DomainServices.build(configuration, opened: opened, realms: realms, clock: clock,
                                                  logger: logger)
    let http = try HTTPRoutes.build(configuration, services: services, accessLogSink: accessLogSink)
    let background = BackgroundServices.make(configuration, services: services)
    let listeners = try ListenerSet(configuration: configuration, router: http.router, logger: logger)
    let application = Application(
        router: http.router,
        server: listeners.publicServer,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Herald"),
        services: background.all + listeners.services,
        logger: logger
    )
    logger.notice("herald ready", metadata: listeners.logMetadata.merging([
        "listen": "\(configuration.host):\(configuration.port)", "public_url": "\(configuration.publicURL)",
        "realms": "\(realms.names.joined(separator: ","))", "default_realm": "\(realms.defaultRealm ?? "-")",
    ]) { _, new in new })
    return Herald(application: application, registry: services.registry, keyService: background.keyService,
                  keyManager: services.keyManager, store: services.store, metrics: services.metrics,
                  audit: services.audit, checkpointService: background.checkpointService, routes: http.routes,
                  limiter: http.limiter)
}

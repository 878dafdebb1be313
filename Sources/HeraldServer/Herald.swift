import Foundation
import HeraldAPI
import HeraldCore
import HeraldJOSE
import HeraldServices
import HeraldStore
import Hummingbird
import Logging
import ServiceLifecycle

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

/// The composition root (architecture convention 5): opens the store, imports realms,
/// brings every realm's keys up to date and wires the endpoints.
///
/// `accessLogSink` receives the access log lines instead of standard output (tests).
public func buildHerald(configuration: ServerConfiguration, clock: any HeraldClock = SystemClock(),
                        logger: Logger, accessLogSink: (@Sendable (String) -> Void)? = nil) async throws -> Herald {
    let fileManager = FileManager.default
    try fileManager.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true,
                                    attributes: [.posixPermissions: 0o700])
    let masterKeyFile = configuration.resolvedMasterKeyFile
    let store = try await StoreBackends.standard.open(configuration.storeLocation, logger: logger)
    if !fileManager.fileExists(atPath: masterKeyFile) {
        let sealed = try await store.sealedKeyCount()
        guard sealed == 0 else {
            throw HeraldError(.invalidConfiguration, """
                the store \(store.location) holds \(sealed) private key(s) sealed with a master key, \
                but the master key file \(masterKeyFile) does not exist; copy the master key that belongs with this \
                database there (or point HERALD_MASTER_KEY_FILE at it). A new master key could not open these keys, \
                so none is created
                """)
        }
    }
    let (masterKey, created) = try MasterKey.loadOrCreate(path: masterKeyFile)
    if created {
        logger.notice("created a new master key; back it up, and keep it apart from the database backups", metadata: ["file": "\(masterKeyFile)"])
    } else if MasterKey.isTooOpen(path: masterKeyFile) {
        logger.warning("the master key file is readable by other users; chmod 600 it", metadata: ["file": "\(masterKeyFile)"])
    }
    let importer = RealmImporter(store: store, hasher: masterKey.secretHasher, logger: logger)
    if fileManager.fileExists(atPath: configuration.realmsDirectory) {
        try await importer.importDirectory(configuration.realmsDirectory, override: configuration.overrideRealms)
    } else {
        logger.notice("no realms directory; serving the realms already in the store",
                      metadata: ["directory": "\(configuration.realmsDirectory)"])
    }
    try await MasterRealm.bootstrap(store: store, hasher: masterKey.secretHasher,
                                    dataDirectory: configuration.dataDirectory, logger: logger)
    let names = try await store.realmNames()
    guard !names.isEmpty else {
        throw HeraldError(.invalidConfiguration,
                          "no realms to serve: put realm files in \(configuration.realmsDirectory) (see realms/acme.yaml)")
    }
    let served = names.filter { $0 != MasterRealm.name }
    let defaultRealm = configuration.defaultRealm ?? (served.contains("acme") ? "acme" : served.first)
    if let defaultRealm, !names.contains(defaultRealm) {
        throw HeraldError(.invalidConfiguration,
                          "default realm \(defaultRealm) does not exist; choose one of \(names.joined(separator: ", "))")
    }
    let registry = RealmRegistry(defaultRealm: defaultRealm)
    let audit = configuration.auditLog ? store.makeAuditLog(settings: configuration.auditWriter, logger: logger) : nil
    let metrics = HeraldMetrics()
    audit?.observeBatches { duration, failed in
        if failed { metrics.auditBatchFailed() } else { metrics.auditBatchCommitted(duration: duration) }
    }
    if audit == nil { logger.warning("the audit log is OFF: decisions are not recorded (benchmarks only)") }
    let keyManager = KeyManager(store: store, sealer: masterKey.keySealer, clock: clock, logger: logger, audit: audit)
    let lifecycle = LifecycleService(store: store, book: LifecycleBook(), audit: audit, clock: clock, logger: logger)
    let federation = FederationService(
        keys: FederationKeys(store: store, sealer: masterKey.keySealer, clock: clock, audit: audit, logger: logger),
        peerStore: store, registry: registry, book: lifecycle.book, clock: clock, logger: logger,
        http: FederationService.httpClient, metrics: metrics)
    let directories = DirectoryProvider(clock: clock, logger: logger, dataDirectory: configuration.dataDirectory,
                                        metrics: metrics)
    for name in names {
        guard let config = try await store.realm(named: name) else { continue }
        let ring = KeyRing(realm: name)
        try await keyManager.synchronize(config, ring: ring)
        registry.install(try RealmRuntime(config: config, publicURL: configuration.publicURL, keyRing: ring,
                                          directory: directories.directory(for: config)))
        try await lifecycle.load(realm: name)
        try await federation.load(realm: name)
    }

    var proxies: Set<ClientAddress> = []
    for text in configuration.trustedProxies {
        guard let address = ClientAddress(literal: text) else {
            throw HeraldError(.invalidConfiguration, "trusted proxy '\(text)' is not an IP address (write e.g. 10.0.0.5 or fd00::5)")
        }
        proxies.insert(address)
    }
    let limiter = AuthenticationLimiter(clock: clock, audit: audit, metrics: metrics, trustedProxies: proxies)
    let router = Router(context: HeraldRequestContext.self)
    // First of all, so every response (errors and 404s included) carries its X-Request-Id.
    let accessLog = configuration.accessLog == .off ? nil
        : accessLogSink.map { AccessLogWriter(format: configuration.accessLog, sink: $0) }
            ?? .standardOutput(configuration.accessLog)
    router.add(middleware: AccessLogMiddleware(writer: accessLog, limiter: limiter))
    router.add(middleware: MetricsMiddleware(metrics: metrics))
    let readiness = Readiness(store: store, audit: audit, registry: registry, directories: directories,
                              federation: federation, metrics: metrics, clock: clock,
                              federationPolicy: configuration.readinessFederation)
    router.addRoutes(HealthEndpoint(readiness: readiness, metrics: metrics).routes)
    router.addRoutes(DiscoveryEndpoint(registry: registry).routes)
    router.addRoutes(JWKSEndpoint(registry: registry).routes)
    let authenticator = ClientAuthenticator(hasher: masterKey.secretHasher, replayCache: ReplayCache(), clock: clock,
                                            limiter: limiter)
    router.addRoutes(TokenEndpoint(registry: registry, authenticator: authenticator,
                                   issuer: AccessTokenIssuer(clock: clock), lifecycle: lifecycle,
                                   tokens: AccessTokenVerifier(clock: clock), federation: federation, metrics: metrics, audit: audit, clock: clock,
                                   logger: logger,
                                   upstream: UpstreamTokenVerifier(clock: clock, logger: logger)).routes)
    let tokens = AccessTokenVerifier(clock: clock)
    let callers = CallerAuthenticator(clients: authenticator, tokens: tokens, book: lifecycle.book)
    let adminAuth = AdminAuthMiddleware<HeraldRequestContext>(registry: registry, clock: clock, book: lifecycle.book)
    router.addRoutes(IntrospectionEndpoint(registry: registry, authenticator: authenticator, tokens: tokens,
                                           book: lifecycle.book, federation: federation, logger: logger).routes)
    router.addRoutes(RevocationEndpoint(registry: registry, authenticator: authenticator, tokens: tokens,
                                        lifecycle: lifecycle, logger: logger).routes)
    router.addRoutes(AgentEventsEndpoint(registry: registry, callers: callers, lifecycle: lifecycle).routes)
    router.addRoutes(StatusListEndpoint(registry: registry, book: lifecycle.book, clock: clock).routes)
    router.addRoutes(PassportEndpoint(registry: registry, tokens: tokens, adminAuth: adminAuth, lifecycle: lifecycle,
                                      issuer: PassportIssuer(store: store, clock: clock), audit: audit,
                                      logger: logger).routes)
    router.addRoutes(MCPSTrustAuthorityEndpoint(registry: registry, store: store, book: lifecycle.book,
                                                clock: clock).routes)
    router.addRoutes(FederationEndpoint(registry: registry, federation: federation).routes)
    router.addRoutes(MCPGateEndpoint(registry: registry, callers: callers, tokens: tokens, federation: federation,
                                     passports: PassportChecker(store: store, clock: clock), lifecycle: lifecycle,
                                     audit: audit, logger: logger, metrics: metrics).routes)
    let administration = RealmAdministration(store: store, registry: registry, keyManager: keyManager,
                                             hasher: masterKey.secretHasher, audit: audit, clock: clock,
                                             publicURL: configuration.publicURL, directories: directories)
    let admin = router.group("admin").add(middleware: adminAuth)
    admin.addRoutes(AdminRealmsEndpoint(admin: administration).routes)
    admin.addRoutes(AdminMappingsEndpoint(admin: administration).routes)
    admin.addRoutes(AdminClientsEndpoint(admin: administration).routes)
    admin.addRoutes(AdminAgentsEndpoint(admin: administration).routes)
    admin.addRoutes(AdminKeysEndpoint(admin: administration).routes)
    admin.addRoutes(AdminAuditEndpoint(admin: administration).routes)
    admin.addRoutes(AdminLifecycleEndpoint(admin: administration, lifecycle: lifecycle).routes)
    admin.addRoutes(AdminFederationEndpoint(admin: administration, federation: federation).routes)
    admin.addRoutes(AdminDirectoryEndpoint(admin: administration, directories: directories).routes)

    let routes = router.routes.map { "\($0.method.rawValue) \($0.path)" }
    // Last of all: it then wraps only the not-found responder (see the type).
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))

    let keyService = KeyRotationService(registry: registry, manager: keyManager, interval: configuration.keyCheckInterval,
                                        logger: logger)
    let checkpointService = audit.map {
        AuditCheckpointService(registry: registry, audit: $0, clock: clock, interval: configuration.auditCheckpointInterval,
                               logger: logger)
    }
    let ldapSync = LDAPSyncService(directories: directories, interval: configuration.ldapSyncCheckInterval,
                                  logger: logger)
    let refreshService = FederationRefreshService(federation: federation, registry: registry,
                                                  tick: configuration.federationRefreshCheckInterval)
    // The audit writer first: services stop in reverse order, so it closes after everything
    // that records (the listeners, key rotation, the last checkpoint) has stopped.
    let auditWriter: [any Service] = audit.map { [AuditWriterService(audit: $0, logger: logger)] } ?? []
    // What other replicas change, applied here (with the in-process feeds every change is
    // this replica's own, so they apply nothing; a shared feed slots in without more wiring).
    let followers: [any Service] = [
        LifecycleFollower(lifecycle: lifecycle),
        RealmFollower(registry: registry, store: store, keyManager: keyManager, directories: directories,
                      publicURL: configuration.publicURL, logger: logger) { name in
            try await lifecycle.load(realm: name)
            try await federation.load(realm: name)
        },
    ]
    let services: [any Service] = auditWriter + [keyService, ldapSync, refreshService] + followers
        + (checkpointService.map { [$0] } ?? [])
    let listeners = try ListenerSet(configuration: configuration, router: router, logger: logger)
    let application = Application(
        router: router,
        server: listeners.publicServer,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Herald"),
        services: services + listeners.services,
        logger: logger
    )
    logger.notice("herald ready", metadata: listeners.logMetadata.merging([
        "listen": "\(configuration.host):\(configuration.port)", "public_url": "\(configuration.publicURL)",
        "realms": "\(names.joined(separator: ","))", "default_realm": "\(defaultRealm ?? "-")",
    ]) { _, new in new })
    return Herald(application: application, registry: registry, keyService: keyService, keyManager: keyManager,
                  store: store, metrics: metrics, audit: audit, checkpointService: checkpointService,
                  routes: routes, limiter: limiter)
}

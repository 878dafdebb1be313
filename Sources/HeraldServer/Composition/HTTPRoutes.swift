import Foundation
import HeraldCore
import HeraldServices
import Hummingbird

/// Composition step 4: the router, its middleware and every endpoint over the domain services.
struct HTTPRoutes {
    let router: Router<HeraldRequestContext>
    /// Every route, as `METHOD /path/{parameter}` (``Herald/routes``).
    let routes: [String]
    let limiter: AuthenticationLimiter

    /// `accessLogSink` receives the access log lines instead of standard output (tests).
    static func build(_ configuration: ServerConfiguration, services: DomainServices,
                      accessLogSink: (@Sendable (String) -> Void)?) throws -> HTTPRoutes {
        let limiter = AuthenticationLimiter(clock: services.clock, audit: services.audit, metrics: services.metrics,
                                            trustedProxies: try trustedProxies(configuration))
        let router = Router(context: HeraldRequestContext.self)
        // First of all, so every response (errors and 404s included) carries its X-Request-Id.
        let accessLog = configuration.accessLog == .off ? nil
            : accessLogSink.map { AccessLogWriter(format: configuration.accessLog, sink: $0) }
                ?? .standardOutput(configuration.accessLog)
        router.add(middleware: AccessLogMiddleware(writer: accessLog, limiter: limiter))
        router.add(middleware: MetricsMiddleware(metrics: services.metrics))
        let adminAuth = addPublicRoutes(to: router, configuration, services, limiter: limiter)
        addAdminRoutes(to: router.group("admin").add(middleware: adminAuth), configuration, services)
        let routes = router.routes.map { "\($0.method.rawValue) \($0.path)" }
        // Last of all: it then wraps only the not-found responder (see the type).
        router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
        return HTTPRoutes(router: router, routes: routes, limiter: limiter)
    }

    /// The reverse proxies whose `X-Forwarded-For` the brute-force limits believe.
    private static func trustedProxies(_ configuration: ServerConfiguration) throws -> Set<ClientAddress> {
        var proxies: Set<ClientAddress> = []
        for text in configuration.trustedProxies {
            guard let address = ClientAddress(literal: text) else {
                throw HeraldError(.invalidConfiguration, "trusted proxy '\(text)' is not an IP address (write e.g. 10.0.0.5 or fd00::5)")
            }
            proxies.insert(address)
        }
        return proxies
    }

    /// Health, discovery, keys, tokens, lifecycle, passports, federation and the MCP gate;
    /// returns the admin authentication the passport endpoint and the admin API share.
    private static func addPublicRoutes(to router: Router<HeraldRequestContext>, _ configuration: ServerConfiguration,
                                        _ services: DomainServices, limiter: AuthenticationLimiter)
        -> AdminAuthMiddleware<HeraldRequestContext>
    {
        let (registry, clock, logger, audit) = (services.registry, services.clock, services.logger, services.audit)
        let (store, lifecycle, federation, metrics) = (services.store, services.lifecycle, services.federation, services.metrics)
        let readiness = Readiness(store: store, audit: audit, registry: registry, directories: services.directories,
                                  federation: federation, metrics: metrics, clock: clock,
                                  federationPolicy: configuration.readinessFederation)
        router.addRoutes(HealthEndpoint(readiness: readiness, metrics: metrics).routes)
        router.addRoutes(DiscoveryEndpoint(registry: registry).routes)
        router.addRoutes(JWKSEndpoint(registry: registry).routes)
        let authenticator = ClientAuthenticator(hasher: services.hasher, replayCache: services.shared.replayCache, clock: clock,
                                                limiter: limiter)
        router.addRoutes(TokenEndpoint(registry: registry, authenticator: authenticator,
                                       issuer: AccessTokenIssuer(clock: clock), lifecycle: lifecycle,
                                       tokens: AccessTokenVerifier(clock: clock), federation: federation, metrics: metrics,
                                       audit: audit, clock: clock, logger: logger,
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
        router.addRoutes(CapabilityEndpoint(registry: registry, callers: callers,
                                            consumer: CapabilityConsumer(store: store, book: lifecycle.book, clock: clock),
                                            lifecycle: lifecycle, audit: audit, logger: logger).routes)
        router.addRoutes(MCPGateEndpoint(registry: registry, callers: callers, tokens: tokens, federation: federation,
                                         passports: PassportChecker(store: store, clock: clock), lifecycle: lifecycle,
                                         audit: audit, logger: logger, metrics: metrics).routes)
        return adminAuth
    }

    /// The admin API (`/admin/...`), every change through one ``RealmAdministration``.
    private static func addAdminRoutes(to admin: RouterGroup<HeraldRequestContext>, _ configuration: ServerConfiguration,
                                       _ services: DomainServices) {
        let administration = RealmAdministration(store: services.store, registry: services.registry,
                                                 keyManager: services.keyManager, hasher: services.hasher,
                                                 audit: services.audit, clock: services.clock,
                                                 publicURL: configuration.publicURL, directories: services.directories)
        admin.addRoutes(AdminRealmsEndpoint(admin: administration).routes)
        admin.addRoutes(AdminMappingsEndpoint(admin: administration).routes)
        admin.addRoutes(AdminClientsEndpoint(admin: administration).routes)
        admin.addRoutes(AdminAgentsEndpoint(admin: administration).routes)
        admin.addRoutes(AdminKeysEndpoint(admin: administration).routes)
        admin.addRoutes(AdminAuditEndpoint(admin: administration).routes)
        admin.addRoutes(AdminLifecycleEndpoint(admin: administration, lifecycle: services.lifecycle).routes)
        admin.addRoutes(AdminFederationEndpoint(admin: administration, federation: services.federation).routes)
        admin.addRoutes(AdminDirectoryEndpoint(admin: administration, directories: services.directories).routes)
    }
}

import Foundation
import HeraldCore
import Hummingbird
import HummingbirdCore
import Logging
import NIOSSL
import ServiceLifecycle

/// Every listener of one Herald. The public listener is the application's own server; the
/// admin and metrics listeners are applications over the same router, run as services of
/// the public one, so they start with it and stop with its graceful shutdown.
struct ListenerSet {
    /// The public listener's server: TLS if configured, minus the paths moved elsewhere.
    let publicServer: HTTPServerBuilder
    /// The other listeners and the certificate reloader.
    let services: [any Service]
    /// For the "herald ready" line.
    let logMetadata: Logger.Metadata

    init<Context: RequestContext>(configuration: ServerConfiguration, router: Router<Context>, logger: Logger) throws
    where Context: InitializableFromSource<ApplicationRequestContextSource> {
        let listeners = configuration.listeners
        let publicAddress = ListenAddress(host: configuration.host, port: configuration.port)
        try listeners.validate(publicAddress: publicAddress)
        let publicCertificates = try listeners.tls.map { try CertificateStore(files: $0, listener: "public") }
        let publicServer = ListenerServer(
            scope: ListenerScope(admin: listeners.admin == nil, metrics: listeners.metrics == nil, issuer: true),
            certificates: publicCertificates, clientCA: nil)
        self.publicServer = try publicServer.builder()
        if publicCertificates != nil, configuration.publicURL.lowercased().hasPrefix("http://") {
            logger.warning("TLS is on but --public-url is http://: every issuer and discovery URL says http; set --public-url to the https:// URL clients use",
                           metadata: ["public_url": "\(configuration.publicURL)"])
        }
        var stores = publicCertificates.map { [$0] } ?? []
        var services: [any Service] = []
        var metadata: Logger.Metadata = ["tls": "\(publicCertificates.map { "serial \($0.pair.serial)" } ?? "off")"]

        if let address = listeners.admin {
            var adminCertificates = publicCertificates
            if let own = listeners.adminTLS {
                let store = try CertificateStore(files: own, listener: "admin")
                stores.append(store)
                adminCertificates = store
            }
            let clientCA = try listeners.adminClientCA.map { try Self.loadClientCA($0) }
            let server = ListenerServer(scope: .adminOnly, certificates: adminCertificates, clientCA: clientCA)
            services.append(Application(router: router, server: try server.builder(),
                                        configuration: .init(address: .hostname(address.host, port: address.port),
                                                             serverName: "Herald"),
                                        logger: logger))
            metadata["admin_listen"] = "\(address)\(adminCertificates == nil ? "" : " tls")\(clientCA == nil ? "" : " mtls")"
        }
        if let address = listeners.metrics {
            let server = ListenerServer(scope: .metricsOnly, certificates: nil, clientCA: nil)
            services.append(Application(router: router, server: try server.builder(),
                                        configuration: .init(address: .hostname(address.host, port: address.port),
                                                             serverName: "Herald"),
                                        logger: logger))
            metadata["metrics_listen"] = "\(address)"
        }
        for store in stores { store.logCurrent(logger: logger) }
        // Always, TLS or not: SIGHUP's default action ends the process, and `systemctl
        // reload` (deploy/herald.service) sends one.
        services.append(CertificateReloadService(stores: stores, interval: listeners.certificateCheckInterval,
                                                 logger: logger))
        self.services = services
        logMetadata = metadata
    }

    /// The CA certificates of `--admin-client-ca`, or the startup error saying what to fix.
    static func loadClientCA(_ path: String) throws -> [NIOSSLCertificate] {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw HeraldError(.invalidConfiguration,
                              "cannot read --admin-client-ca \(path); check the path and that the user running herald may read it")
        }
        let certificates = (try? NIOSSLCertificate.fromPEMBytes(Array(bytes))) ?? []
        guard !certificates.isEmpty else {
            throw HeraldError(.invalidConfiguration,
                              "--admin-client-ca \(path) holds no PEM certificate; give the CA certificate(s) that sign the admin clients' certificates, as -----BEGIN CERTIFICATE----- blocks")
        }
        return certificates
    }
}

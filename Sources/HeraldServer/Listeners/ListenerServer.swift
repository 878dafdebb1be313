import HTTPTypes
import HeraldCore
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOCore
import NIOSSL

/// The HTTP server one listener runs: HTTP/1.1, TLS when it has a certificate store (and a
/// client CA for mTLS), and its path scope in front of the shared router.
struct ListenerServer: Sendable {
    let scope: ListenerScope
    let certificates: CertificateStore?
    /// PEM CA certificates a client certificate must chain to; nil asks for none.
    let clientCA: [NIOSSLCertificate]?

    /// The TLS settings: TLS 1.2 and later, the store's pair at every handshake.
    func tlsConfiguration() -> TLSConfiguration? {
        guard let certificates else { return nil }
        let pair = certificates.pair
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: pair.chain.map { .certificate($0) },
                                                           privateKey: .privateKey(pair.key))
        tls.minimumTLSVersion = .tlsv12
        // Called once per ClientHello: the pair current at that moment, so a reload
        // reaches the next connection without rebuilding the server.
        tls.sslContextCallback = { _, promise in promise.succeed(certificates.pair.override) }
        if let clientCA {
            tls.trustRoots = .certificates(clientCA)
            // A server that verifies demands a certificate (SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
            // clients have no host name to check.
            tls.certificateVerification = .noHostnameVerification
        }
        return tls
    }

    /// The builder for `Application(server:)`.
    func builder() throws -> HTTPServerBuilder {
        let tls = tlsConfiguration().map { TLSChannelConfiguration(tlsConfiguration: $0) }
        let scope = scope
        return HTTPServerBuilder { responder in
            let scoped: HTTPChannelHandler.Responder = { request, writer, channel in
                guard scope.allows(path: request.uri.path) else {
                    // The router's own answer for a path it does not serve: a bare 404.
                    try await writer.writeResponse(HTTPResponse(status: .notFound, headerFields: [.contentLength: "0"]))
                    return
                }
                try await responder(request, writer, channel)
            }
            let http = HTTP1Channel(responder: scope == .everything ? responder : scoped)
            guard let tls else { return http }
            return try TLSChannel(http, configuration: tls)
        }
    }
}

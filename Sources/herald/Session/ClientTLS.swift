import Foundation
import NIOSSL

/// The TLS files the CLI uses toward the server: a CA bundle to trust instead of the system
/// store, and a client certificate with its key for an mTLS admin listener. Paths only, so a
/// session can remember them without ever holding a private key.
struct ClientTLS: Codable, Sendable, Equatable {
    /// PEM bundle of the CAs to trust; nil means the system trust store.
    var caCert: String?
    /// PEM certificate (chain) to present, with ``clientKey``.
    var clientCert: String?
    /// PEM private key of ``clientCert``.
    var clientKey: String?

    /// Trusts the system store and presents no certificate.
    static let system = ClientTLS()

    enum CodingKeys: String, CodingKey {
        case caCert = "ca_cert"
        case clientCert = "client_cert"
        case clientKey = "client_key"
    }

    /// These settings with each of `override`'s given parts in place of this one's. The
    /// client certificate and key replace each other only as a pair.
    func overridden(by override: ClientTLS) -> ClientTLS {
        var merged = self
        if let caCert = override.caCert { merged.caCert = caCert }
        if override.clientCert != nil || override.clientKey != nil {
            merged.clientCert = override.clientCert
            merged.clientKey = override.clientKey
        }
        return merged
    }

    /// The NIOSSL configuration: TLS 1.2 at least, full certificate and hostname checks.
    /// Reads the files now, so a bad one is a usage error before anything is sent.
    func configuration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let caCert {
            let roots = try Self.certificates(caCert, option: "--cacert", what: "CA certificates")
            // curl's --cacert: these CAs instead of the system store, so a private CA's
            // server is trusted and nothing else.
            configuration.trustRoots = .certificates(roots)
        }
        switch (clientCert, clientKey) {
        case (nil, nil):
            break
        case let (cert?, key?):
            let chain = try Self.certificates(cert, option: "--client-cert", what: "a certificate")
            configuration.certificateChain = chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(try Self.privateKey(key))
            do { _ = try NIOSSLContext(configuration: configuration) } catch {
                throw CLIError.usage("the key in --client-key \(key) does not belong to the certificate in "
                    + "--client-cert \(cert); pass the key the certificate was issued for")
            }
        default:
            throw CLIError.usage("--client-cert and --client-key go together: pass both (PEM files)")
        }
        return configuration
    }

    /// The PEM certificates in `path`; throws when it is unreadable, not PEM or empty.
    static func certificates(_ path: String, option: String, what: String) throws -> [NIOSSLCertificate] {
        let bytes = try read(path, option: option)
        let certificates: [NIOSSLCertificate]
        do { certificates = try NIOSSLCertificate.fromPEMBytes(bytes) } catch {
            throw CLIError.usage("\(option) \(path) is not a PEM file of \(what) "
                + "(-----BEGIN CERTIFICATE----- blocks); convert a DER file with `openssl x509 -inform der`")
        }
        guard !certificates.isEmpty else {
            throw CLIError.usage("\(option) \(path) holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
        return certificates
    }

    /// The PEM private key in `path`; never echoes the file's contents.
    static func privateKey(_ path: String) throws -> NIOSSLPrivateKey {
        let bytes = try read(path, option: "--client-key")
        do { return try NIOSSLPrivateKey(bytes: bytes, format: .pem) } catch {
            throw CLIError.usage("--client-key \(path) is not an unencrypted PEM private key "
                + "(-----BEGIN PRIVATE KEY-----, EC or RSA)")
        }
    }

    private static func read(_ path: String, option: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.usage("cannot read \(option) \(path); check the path and its permissions")
        }
        return Array(data)
    }

    /// The short cause and what to do for a transport failure that TLS explains, or nil. The
    /// causes are BoringSSL's error names and alerts as NIOSSL reports them.
    func hint(for error: any Error) -> (reason: String, hint: String)? {
        let text = String(describing: error)
        let reason = Self.sslReason(text) ?? (text.contains("failedToValidateHostname") ? "hostname mismatch" : nil)
        guard let reason else { return nil }
        let hint: String
        switch reason {
        case "CERTIFICATE_VERIFY_FAILED":
            hint = caCert.map {
                "the server's certificate is not signed by a CA in --cacert \($0): pass the CA that issued it"
            } ?? "the server's certificate is not signed by a CA you trust: pass --cacert FILE (env HERALD_CACERT) "
                + "with the CA that issued it"
        case "hostname mismatch":
            hint = "the server's certificate does not name the host of --server: use the name or address "
                + "it was issued for"
        case "TLSV1_ALERT_CERTIFICATE_REQUIRED", "SSLV3_ALERT_HANDSHAKE_FAILURE", "SSLV3_ALERT_BAD_CERTIFICATE",
             "TLSV1_ALERT_UNKNOWN_CA", "SSLV3_ALERT_CERTIFICATE_UNKNOWN", "TLSV1_ALERT_ACCESS_DENIED":
            hint = clientCert.map {
                "the admin listener refused the client certificate \($0): pass one signed by a CA of its "
                    + "--admin-client-ca"
            } ?? "the admin listener requires a client certificate: pass --client-cert FILE and --client-key FILE "
                + "(env HERALD_CLIENT_CERT, HERALD_CLIENT_KEY)"
        case "WRONG_VERSION_NUMBER", "TLSV1_ALERT_PROTOCOL_VERSION", "UNSUPPORTED_PROTOCOL":
            hint = "no TLS 1.2 or later there: check the scheme and port of --server"
        default:
            hint = "check --server, --cacert and --client-cert/--client-key"
        }
        return (reason, hint)
    }

    /// `CERTIFICATE_VERIFY_FAILED` out of `error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at …`.
    static func sslReason(_ text: String) -> String? {
        guard let marker = text.range(of: "OPENSSL_internal:") else { return nil }
        let name = text[marker.upperBound...].prefix { $0.isUppercase || $0.isNumber || $0 == "_" }
        return name.isEmpty ? nil : String(name)
    }
}

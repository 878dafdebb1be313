/// The PEM files of one TLS listener: its certificate chain (leaf first, then any
/// intermediates) and the private key of the leaf.
public struct TLSFiles: Sendable, Hashable {
    public var certificate: String
    public var key: String
    /// The flags that named the files, for error messages (`--tls-cert`, `--admin-tls-cert`).
    public var certificateOption: String
    public var keyOption: String

    public init(certificate: String, key: String, certificateOption: String = "--tls-cert",
                keyOption: String = "--tls-key") {
        self.certificate = certificate
        self.key = key
        self.certificateOption = certificateOption
        self.keyOption = keyOption
    }
}

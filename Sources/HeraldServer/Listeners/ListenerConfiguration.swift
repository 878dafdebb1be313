import HeraldCore

/// TLS on the public listener, and the optional admin and metrics listeners beside it.
///
/// When `admin` is set, `/admin/...` is served there only (404 on the public listener);
/// when `metrics` is set, `/metrics` is served there only. Health endpoints answer on every
/// listener, so each can be probed on its own.
public struct ListenerConfiguration: Sendable, Equatable {
    /// TLS on the public listener; nil serves plain HTTP.
    public var tls: TLSFiles?
    /// Where the admin API listens; nil keeps it on the public listener.
    public var admin: ListenAddress?
    /// Where `/metrics` listens (always plain HTTP); nil keeps it on the public listener.
    public var metrics: ListenAddress?
    /// TLS on the admin listener; nil falls back to `tls` (then plain HTTP).
    public var adminTLS: TLSFiles?
    /// PEM CA certificates: when set, the admin listener demands a client certificate
    /// signed by one of them and refuses the handshake otherwise.
    public var adminClientCA: String?
    /// How often the certificate files are checked for a change (SIGHUP reloads at once).
    public var certificateCheckInterval: Duration

    public init(tls: TLSFiles? = nil, admin: ListenAddress? = nil, metrics: ListenAddress? = nil,
                adminTLS: TLSFiles? = nil, adminClientCA: String? = nil,
                certificateCheckInterval: Duration = .seconds(2)) {
        self.tls = tls
        self.admin = admin
        self.metrics = metrics
        self.adminTLS = adminTLS
        self.adminClientCA = adminClientCA
        self.certificateCheckInterval = certificateCheckInterval
    }

    /// The TLS files of the admin listener: its own, else the public listener's.
    public var effectiveAdminTLS: TLSFiles? { adminTLS ?? tls }

    /// Refuses combinations that cannot mean what the operator wants, each with the fix.
    public func validate(publicAddress: ListenAddress) throws {
        if admin == nil {
            if adminTLS != nil {
                throw HeraldError(.invalidConfiguration,
                                  "--admin-tls-cert/--admin-tls-key need --admin-listen: without an admin listener the admin API is on the public listener, which uses --tls-cert")
            }
            if adminClientCA != nil {
                throw HeraldError(.invalidConfiguration,
                                  "--admin-client-ca needs --admin-listen (client certificates are asked for on the admin listener only)")
            }
        }
        if adminClientCA != nil, effectiveAdminTLS == nil {
            throw HeraldError(.invalidConfiguration,
                              "--admin-client-ca needs TLS on the admin listener: give --admin-tls-cert and --admin-tls-key (or --tls-cert and --tls-key)")
        }
        var seen: [ListenAddress: String] = [publicAddress: "--listen"]
        for (address, option) in [(admin, "--admin-listen"), (metrics, "--metrics-listen")] {
            guard let address else { continue }
            if let other = seen[address], address.port != 0 {
                throw HeraldError(.invalidConfiguration,
                                  "\(option) \(address) is the same address as \(other); give each listener its own port")
            }
            seen[address] = option
        }
    }
}

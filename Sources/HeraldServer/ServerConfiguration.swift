import Foundation
import HeraldCore
import Logging

/// How `herald serve` runs; every member has a flag and an environment variable.
public struct ServerConfiguration: Sendable {
    public var realmsDirectory: String
    public var dataDirectory: String
    public var host: String
    public var port: Int
    /// Base of every issuer URL; defaults to `http://host:port`.
    public var publicURL: String
    public var defaultRealm: String?
    /// Re-import every realm file over the stored realm.
    public var overrideRealms: Bool
    /// Where the master key lives; defaults to `data/master.key`.
    public var masterKeyFile: String?
    /// How often key slots are advanced (`--key-check-interval`).
    public var keyCheckInterval: Duration
    /// How often sync-mode LDAP directories are checked for a due sync (`--ldap-sync-check-interval`).
    public var ldapSyncCheckInterval: Duration = .seconds(5)
    /// How often federation peers are checked for a due refresh (`--federation-refresh-check-interval`).
    public var federationRefreshCheckInterval: Duration = .seconds(1)
    /// The durable audit log; off only for benchmarks comparing its cost.
    public var auditLog: Bool
    /// How often each realm's audit chain gets a signed checkpoint.
    public var auditCheckpointInterval: Duration
    /// The audit writer's queue bound and batch size (`--audit-max-pending`, `--audit-max-batch`).
    public var auditWriter = AuditWriterSettings()
    /// Where the store is (`--store`); nil: the SQLite file in the data directory.
    public var store: StoreLocation?
    /// IP addresses of reverse proxies whose `X-Forwarded-For` names the client's address
    /// for the brute-force limits; empty counts every attempt against the connection's peer.
    public var trustedProxies: [String] = []
    /// TLS on the public listener and the separate admin and metrics listeners.
    public var listeners = ListenerConfiguration()
    /// The access log (`--access-log`): one line per request with its `X-Request-Id`.
    public var accessLog: AccessLogFormat = .off
    /// Whether a stale federation peer fails `/health/ready` (`--readiness-federation`).
    public var readinessFederation: ReadinessPolicy = .report

    public init(realmsDirectory: String = "realms", dataDirectory: String = "data", host: String = "127.0.0.1",
                port: Int = 8080, publicURL: String? = nil, defaultRealm: String? = nil, overrideRealms: Bool = false,
                masterKeyFile: String? = nil, keyCheckInterval: Duration = .seconds(30), auditLog: Bool = true,
                auditCheckpointInterval: Duration = .seconds(60)) {
        self.auditLog = auditLog
        self.auditCheckpointInterval = auditCheckpointInterval
        self.realmsDirectory = realmsDirectory
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        let base = publicURL ?? "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        self.publicURL = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.defaultRealm = defaultRealm
        self.overrideRealms = overrideRealms
        self.masterKeyFile = masterKeyFile
        self.keyCheckInterval = keyCheckInterval
    }

    public var databasePath: String { (dataDirectory as NSString).appendingPathComponent("herald.sqlite") }
    /// The store the server opens: ``store``, else `sqlite:` ``databasePath``.
    public var storeLocation: StoreLocation { store ?? .sqlite(path: databasePath) }
    public var resolvedMasterKeyFile: String {
        masterKeyFile ?? (dataDirectory as NSString).appendingPathComponent("master.key")
    }
}

extension ServerConfigKey {
    /// Every key of `herald.yaml`, section by section.
    ///
    /// To add a setting: add one entry here (a new section is a new first path component)
    /// with its `HERALD_*` variable, and read that variable in `ServeCommand` as the other
    /// options do (`flag ?? environment["HERALD_X"]`): `herald serve --config` hands the file's
    /// values to the command as variables the process environment overrides. Parsing,
    /// line-numbered errors, `herald config example`, `herald config check` and the flag >
    /// environment > file > default order follow from the entry; document it in
    /// docs/configuration.md#heraldyaml.
    public static let all: [ServerConfigKey] = server + listeners + storage + background + logging

    private static let server: [ServerConfigKey] = [
        ServerConfigKey("server.listen", .text(check: ServerConfigChecks.hostPort), flag: "--listen",
                        environment: "HERALD_LISTEN", default: .string("127.0.0.1:8080"), example: .string("0.0.0.0:8080"),
                        help: "Address to listen on, HOST:PORT ([::1]:8080 for IPv6)."),
        ServerConfigKey("server.public_url", .text(check: ServerConfigChecks.httpURL), flag: "--public-url",
                        environment: "HERALD_PUBLIC_URL", default: nil, defaultText: "http://LISTEN",
                        example: .string("https://herald.example.com"),
                        help: "Base URL of every issuer, as clients reach it (behind a proxy: the proxy's URL)."),
        ServerConfigKey("server.default_realm", .text(check: ServerConfigChecks.realmName), flag: "--default-realm",
                        environment: "HERALD_DEFAULT_REALM", default: nil,
                        defaultText: "acme if present, else the first realm by name", example: .string("acme"),
                        help: "Realm that also answers the host-root well-known paths."),
        ServerConfigKey("server.trusted_proxies", .list(check: ServerConfigChecks.ipAddress), flag: "--trusted-proxy",
                        environment: "HERALD_TRUSTED_PROXIES", default: .strings([]), defaultText: "[] (the connection's peer)",
                        example: .strings(["10.0.0.5"]),
                        help: "IP addresses of reverse proxies whose X-Forwarded-For names the client for the brute-force limits."),
    ]

    private static let listeners: [ServerConfigKey] = [
        ServerConfigKey("tls.cert", .path, flag: "--tls-cert", environment: "HERALD_TLS_CERT", default: nil,
                        defaultText: "none (plain HTTP)", example: .string("/etc/herald/tls/herald.crt"),
                        help: "PEM certificate chain for HTTPS on server.listen; reloaded on SIGHUP or when the file changes."),
        ServerConfigKey("tls.key", .path, flag: "--tls-key", environment: "HERALD_TLS_KEY", default: nil,
                        example: .string("/etc/herald/tls/herald.key"), help: "PEM private key of tls.cert."),
        ServerConfigKey("admin.listen", .text(check: ServerConfigChecks.hostPort), flag: "--admin-listen",
                        environment: "HERALD_ADMIN_LISTEN", default: nil, defaultText: "none (/admin on server.listen)",
                        example: .string("127.0.0.1:8081"), help: "Serve /admin/... only here, HOST:PORT (404 on server.listen)."),
        ServerConfigKey("admin.tls_cert", .path, flag: "--admin-tls-cert", environment: "HERALD_ADMIN_TLS_CERT", default: nil,
                        defaultText: "tls.cert", example: .string("/etc/herald/tls/admin.crt"),
                        help: "PEM certificate chain of the admin listener."),
        ServerConfigKey("admin.tls_key", .path, flag: "--admin-tls-key", environment: "HERALD_ADMIN_TLS_KEY", default: nil,
                        defaultText: "tls.key", example: .string("/etc/herald/tls/admin.key"), help: "PEM private key of admin.tls_cert."),
        ServerConfigKey("admin.client_ca", .path, flag: "--admin-client-ca", environment: "HERALD_ADMIN_CLIENT_CA", default: nil,
                        defaultText: "none (no client certificate)", example: .string("/etc/herald/tls/admin-clients-ca.crt"),
                        help: "PEM CA: the admin listener demands a client certificate it signed (mTLS)."),
        ServerConfigKey("metrics.listen", .text(check: ServerConfigChecks.hostPort), flag: "--metrics-listen",
                        environment: "HERALD_METRICS_LISTEN", default: nil, defaultText: "none (/metrics on server.listen)",
                        example: .string("127.0.0.1:9090"), help: "Serve /metrics only here (plain HTTP), HOST:PORT (404 on server.listen)."),
    ]

    private static let storage: [ServerConfigKey] = [
        ServerConfigKey("realms.directory", .path, flag: "--realms", environment: "HERALD_REALMS",
                        default: .string("realms"), example: .string("/etc/herald/realms"),
                        help: "Directory of realm files (*.yaml, *.yml, *.json), imported on first start."),
        ServerConfigKey("realms.override", .flag, flag: "--override-realms", environment: "HERALD_OVERRIDE_REALMS",
                        default: .bool(false), example: .bool(false),
                        help: "Re-import every realm file over the stored realm at start; `herald realm apply` does it without a restart."),
        ServerConfigKey("storage.data_directory", .path, flag: "--data", environment: "HERALD_DATA",
                        default: .string("data"), example: .string("/var/lib/herald"),
                        help: "Data directory: the database, the master key (unless master_key_file) and the admin credentials."),
        ServerConfigKey("storage.store", .text(check: ServerConfigChecks.storeURL), flag: "--store",
                        environment: "HERALD_STORE", default: nil, defaultText: "sqlite:DATA/herald.sqlite",
                        example: .string("sqlite:/var/lib/herald/herald.sqlite"),
                        help: "Where the store is, as a URL; sqlite:PATH is the one backend of this release."),
        ServerConfigKey("storage.master_key_file", .path, flag: nil, environment: "HERALD_MASTER_KEY_FILE",
                        default: nil, defaultText: "DATA/master.key", example: .string("/etc/herald/master.key"),
                        help: "The master key that seals signing keys; back it up apart from the data directory."),
        ServerConfigKey("audit.log", .choice(["durable", "off"]), flag: "--audit-log", environment: "HERALD_AUDIT_LOG",
                        default: .string("durable"), example: .string("durable"),
                        help: "durable records every decision before answering; off only for benchmarks."),
        ServerConfigKey("audit.checkpoint_interval", .text(check: ServerConfigChecks.duration),
                        flag: "--audit-checkpoint-interval", environment: "HERALD_AUDIT_CHECKPOINT_INTERVAL",
                        default: .string("60s"), example: .string("60s"),
                        help: "How often each realm's audit chain gets a signed checkpoint (and once more at shutdown)."),
        ServerConfigKey("audit.max_pending", .text(check: ServerConfigChecks.count), flag: "--audit-max-pending",
                        environment: "HERALD_AUDIT_MAX_PENDING", default: .string("100000"), example: .string("100000"),
                        help: "Audit entries that may wait for the writer; beyond it requests wait (backpressure)."),
        ServerConfigKey("audit.max_batch", .text(check: ServerConfigChecks.count), flag: "--audit-max-batch",
                        environment: "HERALD_AUDIT_MAX_BATCH", default: .string("10000"), example: .string("10000"),
                        help: "Most audit entries one commit writes (group commit), so a backlog never holds the lock long."),
    ]

    /// How often the background services look for due work (each realm's own periods, such
    /// as a directory's `sync_period` or a peer's `refresh`, say when it is due).
    private static let background: [ServerConfigKey] = [
        ServerConfigKey("keys.check_interval", .text(check: ServerConfigChecks.checkInterval),
                        flag: "--key-check-interval", environment: "HERALD_KEY_CHECK_INTERVAL",
                        default: .string("30s"), example: .string("30s"),
                        help: "How often every realm's key slots are checked and advanced (rotation, retirement); 1s to 1h."),
        ServerConfigKey("ldap.sync_check_interval", .text(check: ServerConfigChecks.checkInterval),
                        flag: "--ldap-sync-check-interval", environment: "HERALD_LDAP_SYNC_CHECK_INTERVAL",
                        default: .string("5s"), example: .string("5s"),
                        help: "How often sync-mode LDAP directories are checked for a due sync (their sync_period); 1s to 1h."),
        ServerConfigKey("federation.refresh_check_interval", .text(check: ServerConfigChecks.checkInterval),
                        flag: "--federation-refresh-check-interval", environment: "HERALD_FEDERATION_REFRESH_CHECK_INTERVAL",
                        default: .string("1s"), example: .string("1s"),
                        help: "How often federation peers are checked for a due refresh (their refresh or backoff); 1s to 1h."),
    ]

    private static let logging: [ServerConfigKey] = [
        ServerConfigKey("logging.level", .choice(ServerConfigChecks.logLevels), flag: "--log-level",
                        environment: "HERALD_LOG_LEVEL", default: .string("info"), example: .string("info"),
                        help: "trace, debug, info, notice, warning, error or critical."),
        ServerConfigKey("logging.format", .choice(["text", "json"]), flag: "--log-format", environment: "HERALD_LOG_FORMAT",
                        default: .string("text"), example: .string("json"),
                        help: "text for people, json (one object a line) for log collectors."),
        ServerConfigKey("logging.access_log", .choice(["text", "json", "off"]), flag: "--access-log",
                        environment: "HERALD_ACCESS_LOG", default: nil,
                        defaultText: "logging.format (off when logging.level is above info)", example: .string("json"),
                        help: "One line per request on standard output, with its X-Request-Id."),
        ServerConfigKey("readiness.federation", .choice(["report", "required"]), flag: "--readiness-federation",
                        environment: "HERALD_READINESS_FEDERATION", default: .string("report"), example: .string("report"),
                        help: "required: a stale federation peer fails /health/ready; report: it is only reported there."),
    ]
}

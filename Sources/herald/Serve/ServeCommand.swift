import ArgumentParser
import Foundation
import HeraldAPI
import HeraldCore
import HeraldServer
import HeraldServices
import Logging

/// `herald serve`: runs the issuer. Every option also reads an environment variable.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the realms: discovery, JWKS and the token endpoint.",
        discussion: """
            Options fall back to environment variables: HERALD_REALMS, HERALD_DATA, HERALD_LISTEN, \
            HERALD_PUBLIC_URL, HERALD_DEFAULT_REALM, HERALD_LOG_LEVEL, HERALD_LOG_FORMAT, \
            HERALD_OVERRIDE_REALMS (1/true), HERALD_AUDIT_LOG, HERALD_TRUSTED_PROXIES (comma-separated), \
            HERALD_MASTER_KEY_FILE, HERALD_ACCESS_LOG, HERALD_READINESS_FEDERATION, HERALD_STORE, \
            HERALD_AUDIT_CHECKPOINT_INTERVAL, HERALD_AUDIT_MAX_PENDING, HERALD_AUDIT_MAX_BATCH, \
            HERALD_KEY_CHECK_INTERVAL, HERALD_LDAP_SYNC_CHECK_INTERVAL, HERALD_FEDERATION_REFRESH_CHECK_INTERVAL.
            TLS and listeners: \(ServeCommand.listenerEnvironment).
            --config FILE (env HERALD_CONFIG) reads the same settings from a herald.yaml \
            (`herald config example` prints one): a flag overrides its variable, which overrides \
            the file, which overrides the default.
            """
    )

    @Option(help: "herald.yaml with these settings (env HERALD_CONFIG; default none); flags and HERALD_* override it.")
    var config: String?
    @Option(help: "Directory of realm files (env HERALD_REALMS; default ./realms).")
    var realms: String?
    @Option(help: "Data directory: database and master key (env HERALD_DATA; default ./data).")
    var data: String?
    @Option(help: "Address to listen on, HOST:PORT (env HERALD_LISTEN; default 127.0.0.1:8080).")
    var listen: String?
    @Option(name: .customLong("public-url"), help: "Base URL of issuers (env HERALD_PUBLIC_URL; default http://LISTEN).")
    var publicURL: String?
    @Option(name: .customLong("default-realm"), help: "Realm that also answers the host-root well-known paths (env HERALD_DEFAULT_REALM).")
    var defaultRealm: String?
    @Option(name: .customLong("log-level"), help: "trace|debug|info|notice|warning|error|critical (env HERALD_LOG_LEVEL; default info).")
    var logLevel: String?
    @Option(name: .customLong("log-format"), help: "json|text (env HERALD_LOG_FORMAT; default text).")
    var logFormat: String?
    @Option(name: .customLong("audit-log"), help: "durable|off: record every decision durably (default), or not at all — only for benchmarks (env HERALD_AUDIT_LOG).")
    var auditLog: String?
    @Option(help: "Store URL: sqlite:PATH (env HERALD_STORE; default sqlite:DATA/herald.sqlite).")
    var store: String?
    @Option(name: .customLong("audit-checkpoint-interval"),
            help: "How often each realm's audit chain is signed, e.g. 60s or 5m (env HERALD_AUDIT_CHECKPOINT_INTERVAL; default 60s).")
    var auditCheckpointInterval: String?
    @Option(name: .customLong("audit-max-pending"),
            help: "Audit entries that may wait for the writer before requests wait (env HERALD_AUDIT_MAX_PENDING; default 100000).")
    var auditMaxPending: String?
    @Option(name: .customLong("audit-max-batch"),
            help: "Most audit entries one commit writes (env HERALD_AUDIT_MAX_BATCH; default 10000).")
    var auditMaxBatch: String?
    @Option(name: .customLong("key-check-interval"),
            help: "How often realms' key slots are checked and advanced, 1s to 1h (env HERALD_KEY_CHECK_INTERVAL; default 30s).")
    var keyCheckInterval: String?
    @Option(name: .customLong("ldap-sync-check-interval"),
            help: "How often sync-mode LDAP directories are checked for a due sync, 1s to 1h (env HERALD_LDAP_SYNC_CHECK_INTERVAL; default 5s).")
    var ldapSyncCheckInterval: String?
    @Option(name: .customLong("federation-refresh-check-interval"),
            help: "How often federation peers are checked for a due refresh, 1s to 1h (env HERALD_FEDERATION_REFRESH_CHECK_INTERVAL; default 1s).")
    var federationRefreshCheckInterval: String?
    @Flag(name: .customLong("override-realms"), help: "Re-import realm files over the stored realms (env HERALD_OVERRIDE_REALMS).")
    var overrideRealms = false
    @Option(name: .customLong("trusted-proxy"),
            help: "IP address of a reverse proxy whose X-Forwarded-For names the client for the brute-force limits; repeatable (env HERALD_TRUSTED_PROXIES, comma-separated; default none: the connection's peer).")
    var trustedProxies: [String] = []
    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain for HTTPS on --listen, reloaded on SIGHUP or change (env HERALD_TLS_CERT).")
    var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert (env HERALD_TLS_KEY).")
    var tlsKey: String?
    @Option(name: .customLong("admin-listen"), help: "Serve /admin/... only here, HOST:PORT; 404 on --listen (env HERALD_ADMIN_LISTEN).")
    var adminListen: String?
    @Option(name: .customLong("metrics-listen"), help: "Serve /metrics only here (plain HTTP), HOST:PORT; 404 on --listen (env HERALD_METRICS_LISTEN).")
    var metricsListen: String?
    @Option(name: .customLong("admin-tls-cert"), help: "PEM certificate chain of the admin listener (env HERALD_ADMIN_TLS_CERT; default --tls-cert).")
    var adminTLSCert: String?
    @Option(name: .customLong("admin-tls-key"), help: "PEM private key of --admin-tls-cert (env HERALD_ADMIN_TLS_KEY).")
    var adminTLSKey: String?
    @Option(name: .customLong("admin-client-ca"), help: "PEM CA: the admin listener demands a client certificate it signed (env HERALD_ADMIN_CLIENT_CA).")
    var adminClientCA: String?

    @Option(name: .customLong("access-log"),
            help: "text|json|off: one line per request on standard output, with its X-Request-Id (env HERALD_ACCESS_LOG; default: the --log-format, or off when --log-level is above info).")
    var accessLog: String?
    @Option(name: .customLong("readiness-federation"),
            help: "report|required: whether a stale federation peer fails /health/ready (env HERALD_READINESS_FEDERATION; default report).")
    var readinessFederation: String?

    /// `HERALD_*` over the `--config` file's values (``ServeSettings/layeredEnvironment(config:environment:)``);
    /// `validate()` has already reported a bad file, so it loads here.
    private var environment: [String: String] {
        let process = ProcessInfo.processInfo.environment
        return (try? ServeSettings.layeredEnvironment(config: config, environment: process)) ?? process
    }

    func validate() throws {
        _ = try ServeSettings.layeredEnvironment(config: config, environment: ProcessInfo.processInfo.environment)
        _ = try listenAddress()
        _ = try level()
        _ = try auditEnabled()
        _ = try listenerConfiguration(environment: environment)
        _ = try accessLogFormat()
        _ = try federationReadiness()
        _ = try storeLocation()
        _ = try auditSettings()
        _ = try checkIntervals()
        for proxy in proxies() where ClientAddress(literal: proxy) == nil {
            throw ValidationError("--trusted-proxy must be an IP address such as 10.0.0.5 or fd00::5, not \(proxy)")
        }
        if let format = logFormat ?? environment["HERALD_LOG_FORMAT"], !["json", "text"].contains(format) {
            throw ValidationError("--log-format must be json or text, not \(format)")
        }
        if let url = publicURL ?? environment["HERALD_PUBLIC_URL"],
           URL(string: url)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            throw ValidationError("--public-url must be an http(s) URL such as https://herald.example.com, not \(url)")
        }
    }

    func run() async throws {
        let format = logFormat ?? environment["HERALD_LOG_FORMAT"] ?? "text"
        let level = try level()
        // Every line logged while a request is handled carries its request.id (X-Request-Id).
        let requestID = Logger.MetadataProvider {
            RequestRecord.current.map { ["request.id": .string($0.id)] } ?? [:]
        }
        LoggingSystem.bootstrap({ label, provider in
            var handler: any LogHandler = format == "json" ? JSONLogHandler(label: label, metadataProvider: provider)
                : StreamLogHandler.standardError(label: label, metadataProvider: provider)
            handler.logLevel = level
            return handler
        }, metadataProvider: requestID)
        let logger = Logger(label: "herald")
        let (host, port) = try listenAddress()
        let overrideFromEnv = ["1", "true", "yes"].contains(environment["HERALD_OVERRIDE_REALMS"]?.lowercased() ?? "")
        var configuration = ServerConfiguration(
            realmsDirectory: realms ?? environment["HERALD_REALMS"] ?? "realms",
            dataDirectory: data ?? environment["HERALD_DATA"] ?? "data",
            host: host, port: port,
            publicURL: publicURL ?? environment["HERALD_PUBLIC_URL"],
            defaultRealm: defaultRealm ?? environment["HERALD_DEFAULT_REALM"],
            overrideRealms: overrideRealms || overrideFromEnv,
            masterKeyFile: environment["HERALD_MASTER_KEY_FILE"],
            auditLog: try auditEnabled()
        )
        configuration.trustedProxies = proxies()
        try applyListeners(to: &configuration, environment: environment)
        configuration.accessLog = try accessLogFormat()
        configuration.readinessFederation = try federationReadiness()
        configuration.store = try storeLocation()
        (configuration.auditCheckpointInterval, configuration.auditWriter) = try auditSettings()
        let intervals = try checkIntervals()
        configuration.keyCheckInterval = intervals.keys
        configuration.ldapSyncCheckInterval = intervals.ldapSync
        configuration.federationRefreshCheckInterval = intervals.federationRefresh
        let herald: Herald
        do { herald = try await buildHerald(configuration: configuration, logger: logger) } catch {
            logger.critical("herald cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        try await herald.application.runService()
    }

    /// `--trusted-proxy` values, else `HERALD_TRUSTED_PROXIES`.
    private func proxies() -> [String] {
        if !trustedProxies.isEmpty { return trustedProxies }
        return (environment["HERALD_TRUSTED_PROXIES"] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func listenAddress() throws -> (String, Int) {
        let text = listen ?? environment["HERALD_LISTEN"] ?? "127.0.0.1:8080"
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port), colon != text.startIndex
        else { throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:8080, not \(text)") }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }

    /// `--access-log`, else `HERALD_ACCESS_LOG`, else the log format (`json` or `text`); off by
    /// default when the log level is above info (access lines are info-level: a benchmark run
    /// at `warning` does not pay a write per request).
    private func accessLogFormat() throws -> AccessLogFormat {
        if accessLog == nil, environment["HERALD_ACCESS_LOG"] == nil, try level() > .info { return .off }
        let text = accessLog ?? environment["HERALD_ACCESS_LOG"] ?? logFormat ?? environment["HERALD_LOG_FORMAT"] ?? "text"
        guard let format = AccessLogFormat(rawValue: text) else {
            throw ValidationError("--access-log must be text, json or off, not \(text)")
        }
        return format
    }

    private func federationReadiness() throws -> ReadinessPolicy {
        let text = readinessFederation ?? environment["HERALD_READINESS_FEDERATION"] ?? "report"
        guard let policy = ReadinessPolicy(rawValue: text) else {
            throw ValidationError("--readiness-federation must be report or required, not \(text)")
        }
        return policy
    }

    /// `--store`, else `HERALD_STORE`; nil: the SQLite file in the data directory.
    private func storeLocation() throws -> StoreLocation? {
        guard let text = store ?? environment["HERALD_STORE"], !text.isEmpty else { return nil }
        if let problem = ServerConfigChecks.storeURL(text) { throw ValidationError("--store: \(problem)") }
        return try StoreLocation(parsing: text)
    }

    /// A setting's text: the flag, else the environment variable, else the default, refused
    /// with the option, the variable and `check`'s problem when `check` finds one.
    private func value(_ flag: String?, _ variable: String, _ option: String, _ fallback: String,
                       _ check: (String) -> String?) throws -> String {
        let text = flag ?? environment[variable] ?? fallback
        if let problem = check(text) { throw ValidationError("\(option) (env \(variable)): \(problem)") }
        return text
    }

    /// The checkpoint interval and the writer's queue and batch bounds.
    private func auditSettings() throws -> (Duration, AuditWriterSettings) {
        let interval = try value(auditCheckpointInterval, "HERALD_AUDIT_CHECKPOINT_INTERVAL", "--audit-checkpoint-interval",
                                 "60s", ServerConfigChecks.duration)
        let pending = try value(auditMaxPending, "HERALD_AUDIT_MAX_PENDING", "--audit-max-pending", "100000",
                                ServerConfigChecks.count)
        let batch = try value(auditMaxBatch, "HERALD_AUDIT_MAX_BATCH", "--audit-max-batch", "10000", ServerConfigChecks.count)
        return (.seconds(DurationText.seconds(interval) ?? 60),
                AuditWriterSettings(maxPending: Int(pending) ?? AuditWriterSettings.defaultMaxPending,
                                    maxBatch: Int(batch) ?? AuditWriterSettings.defaultMaxBatch))
    }

    /// How often the background services look for due work: key rotation, LDAP sync,
    /// federation refresh. Each from 1s to 1h (``ServerConfigChecks/checkInterval(_:)``).
    func checkIntervals() throws -> (keys: Duration, ldapSync: Duration, federationRefresh: Duration) {
        func interval(_ flag: String?, _ variable: String, _ option: String, _ fallback: String) throws -> Duration {
            .seconds(DurationText.seconds(try value(flag, variable, option, fallback, ServerConfigChecks.checkInterval)) ?? 0)
        }
        return (keys: try interval(keyCheckInterval, "HERALD_KEY_CHECK_INTERVAL", "--key-check-interval", "30s"),
                ldapSync: try interval(ldapSyncCheckInterval, "HERALD_LDAP_SYNC_CHECK_INTERVAL",
                                       "--ldap-sync-check-interval", "5s"),
                federationRefresh: try interval(federationRefreshCheckInterval, "HERALD_FEDERATION_REFRESH_CHECK_INTERVAL",
                                                "--federation-refresh-check-interval", "1s"))
    }

    private func auditEnabled() throws -> Bool {
        switch auditLog ?? environment["HERALD_AUDIT_LOG"] ?? "durable" {
        case "durable": return true
        case "off": return false
        case let other: throw ValidationError("--audit-log must be durable or off, not \(other)")
        }
    }

    private func level() throws -> Logger.Level {
        let text = logLevel ?? environment["HERALD_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return level
    }
}

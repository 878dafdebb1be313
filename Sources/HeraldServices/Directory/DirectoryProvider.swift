import Foundation
import HeraldCore
import HeraldDirectory
import Logging
import Synchronization

/// Builds each realm's directory connector and keeps the LDAP ones alive across realm
/// changes: a realm whose `directory.ldap` did not change keeps its connections and cache;
/// one that changed gets a new directory, and the old one's connections are closed.
public final class DirectoryProvider: Sendable {
    private let ldap = Mutex<[String: LDAPDirectory]>([:])
    package let clock: any HeraldClock
    package let logger: Logger
    package let environment: [String: String]
    /// Where `mode: sync` directories save their copy (`ldap/<realm>.json`); nil: not saved.
    package let dataDirectory: String?
    /// Receives each directory's LDAP latency, errors and cache lookups, labelled by realm.
    package let metrics: (any ServiceMetrics)?

    package init(clock: any HeraldClock, logger: Logger,
                environment: [String: String] = ProcessInfo.processInfo.environment, dataDirectory: String? = nil,
                metrics: (any ServiceMetrics)? = nil) {
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
        self.environment = environment
        self.dataDirectory = dataDirectory
    }

    /// The connector `config` asks for; nil for the realm file's static directory (the
    /// runtime resolves those principals once).
    package func directory(for config: RealmConfig) throws -> (any DirectoryConnector)? {
        guard let settings = config.ldap else {
            let old = ldap.withLock { $0.removeValue(forKey: config.name) }
            old?.shutdown()
            return nil
        }
        if let existing = ldap.withLock({ $0[config.name] }), existing.settings == settings { return existing }
        let password = try LDAPDirectory.bindPassword(for: settings, environment: environment)
        var logger = logger
        logger[metadataKey: "realm.id"] = "\(config.name)"
        let copyFile = dataDirectory.map { ($0 as NSString).appendingPathComponent("ldap/\(config.name).json") }
        let directory = LDAPDirectory(settings: settings, bindPassword: password, clock: clock, logger: logger,
                                      copyFile: copyFile)
        metrics?.observeLDAP(directory.monitor, realm: config.name)
        let old = ldap.withLock { directories in
            defer { directories[config.name] = directory }
            return directories[config.name]
        }
        old?.shutdown()
        logger.info("LDAP directory configured", metadata: [
            "ldap.url": "\(settings.url)", "ldap.mode": "\(settings.mode.rawValue)",
            "ldap.bind_dn": "\(settings.bindDN ?? "(anonymous)")",
        ])
        return directory
    }

    /// The LDAP directory of `realm`, if it has one.
    public func ldapDirectory(realm: String) -> LDAPDirectory? { ldap.withLock { $0[realm] } }

    /// Every LDAP directory, by realm.
    public var ldapDirectories: [(realm: String, directory: LDAPDirectory)] {
        ldap.withLock { $0.map { ($0.key, $0.value) } }.sorted { $0.realm < $1.realm }
    }
}

extension RealmRuntime {
    /// The realm's LDAP directory, when `directory.ldap` configures one.
    public var ldapDirectory: LDAPDirectory? { directory as? LDAPDirectory }
}

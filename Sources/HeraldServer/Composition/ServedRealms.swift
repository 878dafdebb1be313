import Foundation
import HeraldCore
import HeraldServices
import Logging

/// Composition step 2: the realms the server serves, after the realm files are imported and
/// the master realm exists, and the default realm among them.
struct ServedRealms {
    /// Every stored realm, the master realm included.
    let names: [String]
    /// The realm that also answers the host-root well-known paths; nil when only the master
    /// realm is stored (it is never the default unless named).
    let defaultRealm: String?

    static func load(_ configuration: ServerConfiguration, from opened: OpenedStore, logger: Logger) async throws
        -> ServedRealms
    {
        let store = opened.store, hasher = opened.masterKey.secretHasher
        let importer = RealmImporter(store: store, hasher: hasher, logger: logger)
        if FileManager.default.fileExists(atPath: configuration.realmsDirectory) {
            try await importer.importDirectory(configuration.realmsDirectory, override: configuration.overrideRealms)
        } else {
            logger.notice("no realms directory; serving the realms already in the store",
                          metadata: ["directory": "\(configuration.realmsDirectory)"])
        }
        try await MasterRealm.bootstrap(store: store, hasher: hasher, dataDirectory: configuration.dataDirectory,
                                        logger: logger)
        let names = try await store.realmNames()
        guard !names.isEmpty else {
            throw HeraldError(.invalidConfiguration,
                              "no realms to serve: put realm files in \(configuration.realmsDirectory) (see realms/acme.yaml)")
        }
        let served = names.filter { $0 != MasterRealm.name }
        let defaultRealm = configuration.defaultRealm ?? (served.contains("acme") ? "acme" : served.first)
        if let defaultRealm, !names.contains(defaultRealm) {
            throw HeraldError(.invalidConfiguration,
                              "default realm \(defaultRealm) does not exist; choose one of \(names.joined(separator: ", "))")
        }
        return ServedRealms(names: names, defaultRealm: defaultRealm)
    }
}

import Foundation
import HeraldAPI
import HeraldCore
import HeraldJOSE
import Logging

/// Imports realm files into the store. The store is the source of truth after import: a
/// file whose realm is already stored is skipped unless `override` is set.
public struct RealmImporter: Sendable {
    package let store: any RealmRepository
    package let hasher: SecretHasher
    package let logger: Logger

    public init(store: any RealmRepository, hasher: SecretHasher, logger: Logger) {
        self.store = store
        self.hasher = hasher
        self.logger = logger
    }

    /// The loader every realm file goes through (used offline by `herald realm validate` too).
    public static var loader: RealmFileLoader {
        RealmFileLoader(checkJWKS: { json in _ = try PublicJWK.parseSet(json: Data(json.utf8)) },
                        checkUpstreamJWKS: { json in _ = try ThirdPartyJWK.parseSet(json: Data(json.utf8)) })
    }

    /// Imports the files of `directory`; returns the names imported.
    @discardableResult
    public func importDirectory(_ directory: String, override: Bool) async throws -> [String] {
        let realms = try Self.loader.loadDirectory(directory)
        var imported: [String] = []
        if realms.contains(where: { $0.config.name == "master" }) {
            throw HeraldError(.invalidConfiguration,
                              "a realm file declares realm master, which Herald creates and manages itself; rename it")
        }
        for realm in realms {
            if !override, try await store.realm(named: realm.config.name) != nil {
                logger.info("realm already in the store; its file is not re-imported (use --override-realms)",
                            metadata: ["realm.id": "\(realm.config.name)"])
                continue
            }
            try await save(realm)
            imported.append(realm.config.name)
        }
        return imported
    }

    /// The realm as stored: its clear client secrets replaced by their digests.
    package static func storedConfig(_ realm: LoadedRealm, hasher: SecretHasher) -> RealmConfig {
        var config = realm.config
        for index in config.clients.indices {
            if let secret = realm.secrets[config.clients[index].clientID] {
                config.clients[index].secretDigest = hasher.digest(secret)
            }
        }
        return config
    }

    /// Digests the realm's client secrets and stores it.
    public func save(_ realm: LoadedRealm) async throws {
        let config = Self.storedConfig(realm, hasher: hasher)
        for clientID in realm.inlineSecretClients {
            logger.warning("client secret written inline in the realm file; use secret_file or secret_env outside demos",
                           metadata: ["realm.id": "\(config.name)", "client.id": "\(clientID)"])
        }
        try await store.save(config)
        logger.notice("realm imported", metadata: ["realm.id": "\(config.name)", "clients": "\(config.clients.count)",
                                                   "agents": "\(config.agents.count)"])
    }
}

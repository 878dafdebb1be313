import Foundation
import HeraldCore
import HeraldJOSE
import HeraldServices
import HeraldStore
import Logging

/// Composition step 1: the data directory, the store configuration chose and the master key
/// that seals its signing keys.
struct OpenedStore {
    let store: any Store
    let masterKey: MasterKey

    /// Creates the data directory (0700), opens the store through ``StoreBackends`` and loads
    /// the master key, creating one only for a store that holds no sealed key: a new key could
    /// not open keys sealed with a lost one, so that is a configuration error, not a fresh start.
    static func open(_ configuration: ServerConfiguration, logger: Logger) async throws -> OpenedStore {
        let fileManager = FileManager.default
        try fileManager.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true,
                                        attributes: [.posixPermissions: 0o700])
        let masterKeyFile = configuration.resolvedMasterKeyFile
        let store = try await StoreBackends.standard.open(configuration.storeLocation, logger: logger)
        if !fileManager.fileExists(atPath: masterKeyFile) {
            let sealed = try await store.sealedKeyCount()
            guard sealed == 0 else {
                throw HeraldError(.invalidConfiguration, """
                    the store \(store.location) holds \(sealed) private key(s) sealed with a master key, \
                    but the master key file \(masterKeyFile) does not exist; copy the master key that belongs with this \
                    database there (or point HERALD_MASTER_KEY_FILE at it). A new master key could not open these keys, \
                    so none is created
                    """)
            }
        }
        let (masterKey, created) = try MasterKey.loadOrCreate(path: masterKeyFile)
        if created {
            logger.notice("created a new master key; back it up, and keep it apart from the database backups",
                          metadata: ["file": "\(masterKeyFile)"])
        } else if MasterKey.isTooOpen(path: masterKeyFile) {
            logger.warning("the master key file is readable by other users; chmod 600 it", metadata: ["file": "\(masterKeyFile)"])
        }
        return OpenedStore(store: store, masterKey: masterKey)
    }
}

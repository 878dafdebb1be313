import Foundation
import HeraldCore
import HeraldJOSE
import Logging
import ServiceLifecycle

/// Reloads the realms other replicas changed (``RealmChangeFeed``) from the store, until
/// graceful shutdown: the new runtime is built and installed as at start, so the next
/// request here serves the new version (and re-renders discovery and JWKS). With the
/// in-process feed every change is this replica's own and is skipped.
package struct RealmFollower: Service {
    /// Builds and installs a changed realm, as the start does.
    package let loader: RealmLoader
    /// Where the changes come from.
    package let changes: any RealmChangeFeed
    /// This replica (changes it made itself are skipped).
    package let replica: ReplicaID
    package let logger: Logger
    /// Wait before retrying a reload that failed (the store unreachable): the change is
    /// retried, never dropped, so the realm cannot stay on an old version here.
    package let retryDelay: Duration

    /// `changes` and `replica` default to the loader's registry's feed and replica id.
    package init(loader: RealmLoader, changes: (any RealmChangeFeed)? = nil, replica: ReplicaID? = nil,
                 logger: Logger, retryDelay: Duration = .seconds(1)) {
        self.loader = loader
        self.changes = changes ?? loader.registry.changes
        self.replica = replica ?? loader.registry.replica
        self.logger = logger
        self.retryDelay = retryDelay
    }

    package init(registry: RealmRegistry, store: any RealmRepository, keyManager: KeyManager,
                 directories: DirectoryProvider, publicURL: String, changes: (any RealmChangeFeed)? = nil,
                 replica: ReplicaID? = nil, logger: Logger,
                 retryDelay: Duration = .seconds(1), loadNewRealm: @escaping @Sendable (String) async throws -> Void) {
        self.init(loader: RealmLoader(registry: registry, store: store, keyManager: keyManager, directories: directories,
                                      publicURL: publicURL, loadNewRealm: loadNewRealm),
                  changes: changes, replica: replica, logger: logger, retryDelay: retryDelay)
    }

    package func run() async throws {
        let changes = try await changes.subscribe()
        await cancelWhenGracefulShutdown {
            for await change in changes where change.origin != replica {
                while !Task.isCancelled {
                    do {
                        try await reload(realm: change.realm)
                        break
                    } catch {
                        logger.error("realm changed by another replica not reloaded; retrying",
                                     metadata: ["realm.id": "\(change.realm)", "error": "\(error)"])
                        try? await Task.sleep(for: retryDelay)
                    }
                }
            }
        }
    }

    /// Builds and installs the stored version of `realm`, keeping its key ring.
    package func reload(realm name: String) async throws {
        try await loader.load(realm: name)
        logger.info("realm reloaded after a change on another replica", metadata: ["realm.id": "\(name)"])
    }
}

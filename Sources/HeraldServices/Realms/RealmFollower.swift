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
    package let registry: RealmRegistry
    package let store: any RealmRepository
    package let keyManager: KeyManager
    package let directories: DirectoryProvider
    package let publicURL: String
    /// Loads what else a realm new to this replica needs (its lifecycle book, its
    /// federation state), as the start does.
    package let loadNewRealm: @Sendable (String) async throws -> Void
    /// Where the changes come from: the registry's feed, unless told otherwise.
    package let changes: any RealmChangeFeed
    /// This replica (changes it made itself are skipped).
    package let replica: ReplicaID
    package let logger: Logger
    /// Wait before retrying a reload that failed (the store unreachable): the change is
    /// retried, never dropped, so the realm cannot stay on an old version here.
    package let retryDelay: Duration

    package init(registry: RealmRegistry, store: any RealmRepository, keyManager: KeyManager,
                 directories: DirectoryProvider, publicURL: String, changes: (any RealmChangeFeed)? = nil,
                 replica: ReplicaID? = nil, logger: Logger,
                 retryDelay: Duration = .seconds(1), loadNewRealm: @escaping @Sendable (String) async throws -> Void) {
        self.registry = registry
        self.store = store
        self.keyManager = keyManager
        self.directories = directories
        self.publicURL = publicURL
        self.changes = changes ?? registry.changes
        self.replica = replica ?? registry.replica
        self.logger = logger
        self.retryDelay = retryDelay
        self.loadNewRealm = loadNewRealm
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
        guard let config = try await store.realm(named: name) else { return }
        let existing = registry.runtime(named: name)
        let ring = existing?.keyRing ?? KeyRing(realm: name)
        try await keyManager.synchronize(config, ring: ring)
        registry.install(try RealmRuntime(config: config, publicURL: publicURL, keyRing: ring,
                                          directory: directories.directory(for: config)))
        if existing == nil { try await loadNewRealm(name) }
        logger.info("realm reloaded after a change on another replica", metadata: ["realm.id": "\(name)"])
    }
}

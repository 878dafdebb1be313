import HeraldCore
import HeraldJOSE

/// Builds a realm's runtime from its stored version and installs it in the registry: at start
/// for every served realm, and on this replica when another replica changed the realm
/// (``RealmFollower``), so both serve a realm built the same way.
package struct RealmLoader: Sendable {
    package let registry: RealmRegistry
    package let store: any RealmRepository
    package let keyManager: KeyManager
    package let directories: DirectoryProvider
    package let publicURL: String
    /// Loads what else a realm new to this process needs (its lifecycle book, its federation
    /// state), after its runtime is installed.
    package let loadNewRealm: @Sendable (String) async throws -> Void

    package init(registry: RealmRegistry, store: any RealmRepository, keyManager: KeyManager,
                 directories: DirectoryProvider, publicURL: String,
                 loadNewRealm: @escaping @Sendable (String) async throws -> Void) {
        self.registry = registry
        self.store = store
        self.keyManager = keyManager
        self.directories = directories
        self.publicURL = publicURL
        self.loadNewRealm = loadNewRealm
    }

    /// Builds and installs the stored version of `realm`, keeping its key ring (the keys are
    /// brought up to date first); nothing when the store has no such realm.
    package func load(realm name: String) async throws {
        guard let config = try await store.realm(named: name) else { return }
        let existing = registry.runtime(named: name)
        let ring = existing?.keyRing ?? KeyRing(realm: name)
        try await keyManager.synchronize(config, ring: ring)
        registry.install(try RealmRuntime(config: config, publicURL: publicURL, keyRing: ring,
                                          directory: directories.directory(for: config)))
        if existing == nil { try await loadNewRealm(name) }
    }
}

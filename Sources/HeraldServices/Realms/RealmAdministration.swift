import Foundation
import HeraldAPI
import HeraldCore
import HeraldJOSE

/// Changes realms on behalf of the admin API.
///
/// Every change is an edit of the realm-file form (``AdminRealmForm``) that goes back
/// through the realm-file loader, so the API and files obey the same rules and messages. The new realm is
/// validated (loaded, and its runtime built) before anything is stored, so a rejected request
/// changes nothing; it is then saved, served from the next request on, and audited before
/// the response leaves. Changes are serialised by this actor and checked against the
/// version they were made from, so two concurrent edits cannot silently overwrite each other.
package actor RealmAdministration {
    package nonisolated let store: any RealmRepository
    package nonisolated let registry: RealmRegistry
    package nonisolated let keyManager: KeyManager
    package nonisolated let hasher: SecretHasher
    package nonisolated let audit: (any AuditLog)?
    package nonisolated let clock: any HeraldClock
    package nonisolated let publicURL: String
    /// Builds the realm's directory connector (LDAP) for each new runtime.
    package nonisolated let directories: DirectoryProvider

    package init(store: any RealmRepository, registry: RealmRegistry, keyManager: KeyManager, hasher: SecretHasher,
                 audit: (any AuditLog)?, clock: any HeraldClock, publicURL: String, directories: DirectoryProvider) {
        self.store = store
        self.registry = registry
        self.keyManager = keyManager
        self.hasher = hasher
        self.audit = audit
        self.clock = clock
        self.publicURL = publicURL
        self.directories = directories
    }

    /// Loads an edited realm-file form; an invalid request (400) listing every problem when it is invalid.
    package nonisolated static func load(_ form: AdminRealmForm, source: String = "request") throws -> LoadedRealm {
        // The text is Herald's own rendering of an edit: positions in it mean nothing to the
        // caller, so the problems are reported by key path only.
        return try load(text: String(decoding: try form.json(), as: UTF8.self), source: source, positions: false,
                        json: true)
    }

    /// Loads a realm file sent as text, YAML or JSON. A JSON text is read with JSON's types
    /// (``RealmFileLoader/load(text:file:baseDirectory:json:)``), its strings escaped where
    /// YAML would refuse them (``YAMLSafeJSON``); a column after such an escape is then off.
    package nonisolated static func load(text: String, source: String = "request", positions: Bool = true,
                                 json: Bool? = nil) throws -> LoadedRealm {
        let isJSON = json ?? ((try? JSONDecoder().decode(OpaqueJSON.self, from: Data(text.utf8)))?.object != nil)
        let text = isJSON ? String(decoding: YAMLSafeJSON.escape(Data(text.utf8)), as: UTF8.self) : text
        do {
            return try RealmImporter.loader.load(text: text, file: source, baseDirectory: "/nonexistent", json: isJSON)
        } catch let error as RealmFileError {
            throw ServiceError.invalidRequest(error.issues.map { issue in
                positions ? issue.description : issue.path.isEmpty ? issue.message : "\(issue.path): \(issue.message)"
            }.joined(separator: "; "))
        }
    }

    /// The last change started; the next one waits for it. An actor alone does not serialise
    /// async work: while one change awaits the store, another could pass the version check
    /// against the same base and overwrite it.
    private var lastChange: Task<Void, Never>?

    /// Stores `loaded` in place of `base` (nil: the realm must not exist yet).
    package func replace(with loaded: LoadedRealm, basedOn base: RealmConfig?, event type: String,
                 detail: [String: String] = [:]) async throws {
        let previous = lastChange
        let actor = AdminActor.current
        let change = Task {
            _ = await previous?.value
            try await AdminActor.$current.withValue(actor) {
                try await self.apply(loaded, basedOn: base, event: type, detail: detail)
            }
        }
        lastChange = Task { _ = try? await change.value }
        try await change.value
    }

    private func apply(_ loaded: LoadedRealm, basedOn base: RealmConfig?, event type: String,
                       detail: [String: String]) async throws {
        let current = registry.runtime(named: loaded.config.name)
        guard current?.config == base else {
            throw ServiceError(.conflict,
                               "realm \(loaded.config.name) changed while this request was prepared; retry")
        }
        let config = RealmImporter.storedConfig(loaded, hasher: hasher)
        let ring = current?.keyRing ?? KeyRing(realm: config.name)
        let runtime: RealmRuntime
        do {
            runtime = try RealmRuntime(config: config, publicURL: publicURL, keyRing: ring,
                                       directory: directories.directory(for: config))
        } catch {
            throw ServiceError.invalidRequest("the change would leave the realm invalid: \(error)")
        }
        try await store.save(config)
        try await keyManager.synchronize(config, ring: ring)
        registry.install(runtime)
        try await audit?.record(AuditEvent(type: type, realm: config.name, time: clock.now(), actor: AdminActor.current,
                                           detail: detail))
        try await registry.announce(realm: config.name)
    }

    /// Records an admin action that changed keys rather than the realm document.
    package func recordKeyChange(realm: String, type: String, detail: [String: String]) async throws {
        try await audit?.record(AuditEvent(type: type, realm: realm, time: clock.now(), actor: AdminActor.current,
                                           detail: detail))
    }
}

import Foundation
import HeraldAPI
import HeraldCore

extension RealmAdministration {
    /// The realm named in the path.
    package nonisolated func runtime(_ name: String) throws -> RealmRuntime {
        guard let runtime = registry.runtime(named: name) else { throw ServiceError(.notFound, "realm '\(name)' does not exist") }
        return runtime
    }

    /// Edits realm `name` in its realm-file form, validates and stores the result.
    @discardableResult
    package nonisolated func edit(_ name: String, event: String, detail: [String: String] = [:],
                          _ change: (inout AdminRealmForm) throws -> Void) async throws -> LoadedRealm {
        let base = try runtime(name).config
        var form = try AdminRealmForm(json: RealmDocument.json(base))
        try change(&form)
        let loaded = try Self.load(form)
        try await replace(with: loaded, basedOn: base, event: event, detail: detail)
        return loaded
    }
}

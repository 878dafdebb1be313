import Foundation
import HeraldAPI
import HeraldCore
import HeraldJOSE
import HeraldServer
import HeraldServices

extension FuzzTarget {
    /// The realm-file loader (Yams, ``YAMLReader``, the realm-file schema): text is loaded
    /// or refused with a RealmFileError whose every issue has a message; a realm it loads,
    /// exported as Herald exports it (`herald realm export`), loads back as the same realm.
    /// Loaded as the admin API loads a realm document (no base directory), with one
    /// environment variable, HERALD_FUZZ_SECRET, for `secret_env` and `bind_password_env`.
    public static let realm = FuzzTarget(
        name: "realm",
        summary: "RealmFileLoader (YAML/JSON realm files): RealmFileError with messages, or a realm whose export "
            + "(RealmDocument.yaml) re-loads as the same stored realm"
    ) { bytes throws(FuzzPropertyViolation) in
        let name = "realm"
        let loader = RealmFileLoader(environment: ["HERALD_FUZZ_SECRET": "fuzz-secret-0123456789"], checkJWKS: { json in
            _ = try PublicJWK.parseSet(json: Data(json.utf8))
        })
        func load(_ text: String, _ file: String) throws(FuzzPropertyViolation) -> LoadedRealm? {
            do { return try loader.load(text: text, file: file, baseDirectory: "/nonexistent") } catch let error as RealmFileError {
                try Check.that(!error.issues.isEmpty && error.issues.allSatisfy { !$0.message.isEmpty }, name,
                               "a RealmFileError without a message for \(Check.show(Array(text.utf8)))")
                return nil
            } catch {
                throw FuzzPropertyViolation(name, "the loader threw \(type(of: error)), not RealmFileError: \(error)")
            }
        }
        guard let loaded = try load(String(decoding: bytes, as: UTF8.self), "fuzz.yaml") else { return }
        let stored = RealmImporter.storedConfig(loaded, hasher: FuzzKeys.secretHasher)
        let exported: String
        do { exported = try RealmDocument.yaml(stored) } catch {
            throw FuzzPropertyViolation(name, "a loaded realm cannot be exported: \(error)")
        }
        let reloaded: LoadedRealm
        do { reloaded = try loader.load(text: exported, file: "export.yaml", baseDirectory: "/nonexistent") } catch {
            throw FuzzPropertyViolation(name, "the export of \(Check.show(bytes)) does not load: \(error)\n\(exported)")
        }
        let restored = RealmImporter.storedConfig(reloaded, hasher: FuzzKeys.secretHasher)
        try Check.that(restored == stored, name,
                       "the export of \(Check.show(bytes)) loads as another realm:\n\(exported)")
    }
}

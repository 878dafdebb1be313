import ArgumentParser
import Foundation
import HeraldAPI
import HeraldServer

/// `herald realm import FILE`: creates a realm from a realm file, or with `--override`
/// replaces the stored one.
struct RealmImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Create a realm from a realm file; --override replaces an existing one.",
        discussion: """
            The file is validated locally first (as `herald realm validate` does) and then sent \
            as it is. The realm is the one the file names. Run `herald realm diff FILE` first to \
            see what --override would change.
            """)

    @OptionGroup var options: AdminOptions
    @Argument(help: "Realm file (YAML or JSON).") var file: String
    @Flag(help: "Replace the realm if the server already has it.") var override = false

    /// Validates `file` locally; returns the realm it names and the text to send.
    static func load(_ file: String) throws -> (realm: String, text: String) {
        let loaded: LoadedRealm
        do { loaded = try RealmImporter.loader.load(path: file) } catch let error as RealmFileError {
            let first = error.issues.first.map { "\($0)" } ?? error.description
            let more = error.issues.count > 1 ? " (and \(error.issues.count - 1) more; `herald realm validate \(file)` lists them)" : ""
            throw CLIError.usage("\(first)\(more)")
        }
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError.usage("cannot read \(file)") }
        return (loaded.config.name, String(decoding: data, as: UTF8.self))
    }

    func run() async throws {
        let (realm, text) = try Self.load(file)
        if let explicit = options.realm, explicit != realm {
            throw CLIError.usage("\(file) declares realm \(realm), not \(explicit); drop --realm or fix the file")
        }
        let session = try options.connect()
        let names = try await session.json(.GET, AdminClient.path("admin", "realms"))["realms"]?.array ?? []
        let exists = names.contains(.string(realm))
        if exists, !override {
            throw CLIError.usage("realm \(realm) already exists on the server; see the changes with "
                + "`herald realm diff \(file)`, then pass --override to replace it")
        }
        let json = file.lowercased().hasSuffix(".json")
        let answer = try await session.send(.PUT, AdminClient.path("admin", "realms", realm), body: Data(text.utf8),
                                            contentType: json ? "application/json" : "application/yaml",
                                            hints: [409: "pass --override to replace the stored realm"])
        if options.output == .json {
            Console.write((try? answer.json().rendered()) ?? answer.text)
        } else {
            Console.write("\(exists ? "replaced" : "created") realm \(realm) from \(file)")
        }
    }
}

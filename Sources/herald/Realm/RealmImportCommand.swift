import ArgumentParser
import Foundation
import HeraldAPI
import HeraldServer
import HeraldServices

/// `herald realm import FILE`: creates a realm from a realm file, or with `--override`
/// replaces the stored one.
struct RealmImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Create a realm from a realm file; --override replaces an existing one.",
        discussion: """
            The file is validated locally first (as `herald realm validate` does) and then sent; \
            secrets it reads from secret_file or secret_env are read here and sent inline, since \
            the server cannot see this machine's files. The realm is the one the file names. Run `herald realm diff FILE` first to \
            see what --override would change.
            """)

    @OptionGroup var options: AdminOptions
    @Argument(help: "Realm file (YAML or JSON).") var file: String
    @Flag(help: "Replace the realm if the server already has it.") var override = false

    /// What to send for a realm file.
    struct Upload {
        var realm: String
        var body: Data
        var contentType: String
        /// Clients whose secrets were read here (secret_file, secret_env) and are sent inline.
        var inlinedSecrets: [String]
    }

    /// Validates `file` locally and prepares the upload. The file goes as it is, unless it
    /// reads client secrets from files or the environment: the server cannot see those, so
    /// the realm goes in the realm-file form (JSON) with the secrets read here written inline.
    static func upload(_ file: String) throws -> Upload {
        let loaded: LoadedRealm
        do { loaded = try RealmImporter.loader.load(path: file) } catch let error as RealmFileError {
            let first = error.issues.first.map { "\($0)" } ?? error.description
            let more = error.issues.count > 1
                ? " (and \(error.issues.count - 1) more; `herald realm validate \(file)` lists them)" : ""
            throw CLIError.usage("\(first)\(more)")
        }
        let referenced = loaded.secrets.keys.filter { !loaded.inlineSecretClients.contains($0) }.sorted()
        guard !referenced.isEmpty else {
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError.usage("cannot read \(file)") }
            let json = file.lowercased().hasSuffix(".json")
            return Upload(realm: loaded.config.name, body: data,
                          contentType: json ? "application/json" : "application/yaml", inlinedSecrets: [])
        }
        var document = RealmDocument.object(loaded.config)
        document["clients"] = (document["clients"] as? [[String: Any]] ?? []).map { client in
            var client = client
            if let id = client["client_id"] as? String, let secret = loaded.secrets[id] { client["secret"] = secret }
            return client
        }
        let body = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
        return Upload(realm: loaded.config.name, body: body, contentType: "application/json", inlinedSecrets: referenced)
    }

    func run() async throws {
        let upload = try Self.upload(file)
        let realm = upload.realm
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
        if !upload.inlinedSecrets.isEmpty {
            printError("note: the secrets of \(upload.inlinedSecrets.joined(separator: ", ")) were read on this machine "
                + "and are sent inline; the server stores only their digests")
        }
        let answer = try await session.send(.PUT, AdminClient.path("admin", "realms", realm), body: upload.body,
                                            contentType: upload.contentType)
        if options.output == .json {
            Console.write((try? answer.json().rendered()) ?? answer.text)
        } else {
            Console.write("\(exists ? "replaced" : "created") realm \(realm) from \(file)")
        }
    }
}

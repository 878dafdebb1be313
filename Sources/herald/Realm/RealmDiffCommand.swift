import ArgumentParser
import Foundation
import HeraldAPI
import HeraldCore
import HeraldServer
import HeraldServices

/// `herald realm diff FILE`: what `realm import --override FILE` would change.
struct RealmDiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "Show what `realm import --override FILE` would change.",
        discussion: """
            Both sides go through the realm-file loader: the server's export and FILE are loaded \
            into the realm as Herald would store it, written back in the realm-file form as JSON \
            with sorted keys (the level table in full, lists in id order), and compared line by \
            line. Lines starting with - are on the server now, + would be after the import. Client \
            secrets are not compared: the server keeps only their digests.
            """)

    @OptionGroup var options: AdminOptions
    @Argument(help: "Realm file (YAML or JSON).") var file: String
    @Flag(name: .customLong("exit-code"), help: "Exit 1 when there are differences (like git diff --exit-code).")
    var exitCode = false

    func run() async throws {
        let local: LoadedRealm
        do { local = try RealmImporter.loader.load(path: file) } catch let error as RealmFileError {
            throw CLIError.usage(error.issues.first.map { "\($0)" } ?? error.description)
        }
        let realm = local.config.name
        if let explicit = options.realm, explicit != realm {
            throw CLIError.usage("\(file) declares realm \(realm), not \(explicit); drop --realm or fix the file")
        }
        let session = try options.connect()
        let names = try await session.json(.GET, AdminClient.path("admin", "realms"))["realms"]?.array ?? []
        let serverLines: [String]
        if names.contains(.string(realm)) {
            let export = try await RealmExportCommand.fetch(session, realm: realm, format: .json)
            serverLines = try Self.canonicalLines(ofExport: export, realm: realm)
        } else {
            serverLines = []
        }
        let fileLines = Self.canonicalLines(local)
        let diff = LineDiff.unified(serverLines, fileLines, from: serverLines.isEmpty ? "/dev/null" : "server realm \(realm)",
                                    to: file)
        if diff.isEmpty {
            Console.write("no changes: realm \(realm) on the server matches \(file)")
        } else {
            Console.write(diff)
            if exitCode { throw ExitCode(1) }
        }
    }

    /// The server's JSON export, loaded like a realm file and rendered canonically.
    static func canonicalLines(ofExport export: String, realm: String) throws -> [String] {
        canonicalLines(try load(export: export, realm: realm, advice: "compare `herald realm export` by hand"))
    }

    /// The server's JSON export of `realm`, loaded like a realm file; `advice` ends the error
    /// when it does not load (a server newer than this CLI, most likely).
    static func load(export: String, realm: String, advice: String) throws -> LoadedRealm {
        do {
            return try RealmImporter.loader.load(text: export, file: "export of realm \(realm)",
                                                 baseDirectory: FileManager.default.currentDirectoryPath)
        } catch let error as RealmFileError {
            throw CLIError.refused("the server's export of realm \(realm) does not load as a realm file "
                + "(\(error.issues.first.map { "\($0)" } ?? error.description)); \(advice)")
        }
    }

    /// The realm as Herald would store it, as sorted-key JSON lines.
    static func canonicalLines(_ realm: LoadedRealm) -> [String] {
        canonical(realm).rendered().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The realm-file form of what Herald would store, with the level table in full (every
    /// cell, overrides applied) and without client secrets.
    static func canonical(_ realm: LoadedRealm) -> JSONValue {
        var config = realm.config
        for index in config.clients.indices { config.clients[index].secretDigest = nil }
        var document = RealmDocument.object(config)
        document["levels"] = TrustLevel.allCases.reduce(into: [String: Any]()) { levels, level in
            let row = config.levelTable[level]
            levels[level.name] = ["label": row.label, "payment_enabled": row.paymentEnabled, "tx_limit": row.txLimit,
                                  "day_limit": row.dayLimit, "scopes": row.scopes, "earned_at_score": row.earnedAtScore]
        }
        let data = (try? JSONSerialization.data(withJSONObject: document)) ?? Data("{}".utf8)
        return normalise((try? JSONValue(parsing: data)) ?? .null)
    }

    /// Arrays of objects in id order; JWKS text as sorted JSON.
    static func normalise(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(var members):
            for (key, member) in members {
                if key == "jwks", case .string(let text) = member, let jwks = try? JSONValue(parsing: Data(text.utf8)) {
                    members[key] = normalise(jwks)
                } else {
                    members[key] = normalise(member)
                }
            }
            return .object(members)
        case .array(let values):
            let normalised = values.map(normalise)
            guard normalised.allSatisfy({ $0.object != nil }) else { return .array(normalised) }
            return .array(normalised.sorted { sortKey($0) < sortKey($1) })
        default:
            return value
        }
    }

    private static func sortKey(_ value: JSONValue) -> String {
        let identity = ["client_id", "group", "id", "entity", "kid"].compactMap { value[$0]?.string }.first ?? ""
        return identity + "\u{0}" + value.rendered(pretty: false)
    }
}

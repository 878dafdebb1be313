import ArgumentParser
import Foundation
import HeraldCore
import HeraldJOSE
import HeraldServer

struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Inspect and change realm signing keys.",
        discussion: """
            Keys move through slots: prepare (published, not signing) → activate → retire \
            (published, not signing) → revoke (gone). The verbs talk to the server's admin API; \
            `key list --data DIR` and `key rotate --data DIR` work offline on the data directory \
            of a stopped server instead.
            """,
        subcommands: [KeyListCommand.self, KeyPrepareCommand.self, KeyActivateCommand.self, KeyRetireCommand.self,
                      KeyRevokeCommand.self, KeyRotateCommand.self])
}

/// Options shared by the offline key commands.
struct OfflineStoreOptions: ParsableArguments {
    @Option(help: "Data directory of a stopped server (env HERALD_DATA; default ./data).")
    var data: String?
    @Option(help: "Store URL of a stopped server, e.g. sqlite:/var/lib/herald/herald.sqlite (env HERALD_STORE; default the database in --data).")
    var store: String?
    @Option(help: "Realm name.")
    var realm: String

    var offline: OfflineStore { OfflineStore(data: data, store: store, realm: realm) }
}

/// A stopped server's store, opened through the store seam (offline verbs).
struct OfflineStore {
    /// `--data`, as given.
    let data: String?
    /// `--store`, as given (``StoreChoice/location(store:data:)`` picks between them).
    let store: String?
    let realm: String

    func open() async throws -> (any Store, MasterKey) {
        let dataDirectory = data ?? Console.environment["HERALD_DATA"] ?? "data"
        let configuration = ServerConfiguration(dataDirectory: dataDirectory,
                                                masterKeyFile: Console.environment["HERALD_MASTER_KEY_FILE"])
        let location: StoreLocation
        do { location = try StoreChoice.location(store: store, data: data) } catch let error as HeraldError {
            throw ValidationError("--store: \(error.message)")
        }
        let opened = try await StoreChoice.open(location, access: .readWrite) { path in
            ValidationError("no database at \(path); pass --data DIR of a server that has run")
        }
        return (opened, try MasterKey.load(path: configuration.resolvedMasterKeyFile))
    }

    func realmConfig(in store: any Store) async throws -> RealmConfig {
        guard let config = try await store.realm(named: realm) else {
            let names = try await store.realmNames()
            throw ValidationError("realm \(realm) is not in the store; known: \(names.joined(separator: ", "))")
        }
        return config
    }
}

/// Rendering of keys, online and offline alike.
enum KeyTable {
    static let header = ["KID", "ALG", "STATE", "CREATED", "SIGNS FROM", "PUBLISHED UNTIL"]

    static func render(_ json: JSONValue) -> String {
        renderTable(header, (json["keys"]?.array ?? []).map(row))
    }

    static func row(_ key: JSONValue) -> [String] {
        let signsFrom = key["activated_at"].flatMap { $0 == .null ? nil : $0 } ?? key["activate_at"]
        return [key["kid"]?.cell ?? "", key["alg"]?.cell ?? "", key["state"]?.cell ?? "", key["created_at"]?.cell ?? "",
                signsFrom?.cell ?? "", key["publish_until"]?.cell ?? ""]
    }

    /// One line after a key changed slot.
    static func describe(_ key: JSONValue) -> String {
        let kid = key["kid"]?.cell ?? "?"
        let state = key["state"]?.cell ?? "?"
        var line = "key \(kid) (\(key["alg"]?.cell ?? "?")) is \(state)"
        if state == "prepared", let at = key["activate_at"]?.string { line += "; it signs from \(at)" }
        if let until = key["publish_until"]?.string, ["retired", "prepared"].contains(state) {
            line += "; published until \(until)"
        }
        return line
    }

    /// kids are base64url thumbprints or similar: visible, no '/'.
    static func checkKID(_ kid: String) throws {
        guard (1...256).contains(kid.count), !kid.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw ValidationError("'\(kid)' is not a key id; `herald key list` shows them")
        }
    }
}

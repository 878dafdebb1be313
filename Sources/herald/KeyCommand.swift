import ArgumentParser
import Foundation
import HeraldCore
import HeraldJOSE
import HeraldServer
import HeraldStore
import Logging

struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Inspect and rotate realm signing keys (offline, on the data directory).",
        subcommands: [KeyListCommand.self, KeyRotateCommand.self])
}

/// Options shared by the offline key commands.
struct OfflineStoreOptions: ParsableArguments {
    @Option(help: "Data directory of a stopped server (env HERALD_DATA; default ./data).")
    var data: String?
    @Option(help: "Realm name.")
    var realm: String

    var dataDirectory: String { data ?? ProcessInfo.processInfo.environment["HERALD_DATA"] ?? "data" }

    func openStore() throws -> (SQLiteStore, MasterKey) {
        let configuration = ServerConfiguration(dataDirectory: dataDirectory,
                                                masterKeyFile: ProcessInfo.processInfo.environment["HERALD_MASTER_KEY_FILE"])
        guard FileManager.default.fileExists(atPath: configuration.databasePath) else {
            throw ValidationError("no database at \(configuration.databasePath); pass --data DIR of a server that has run")
        }
        return (try SQLiteStore(path: configuration.databasePath),
                try MasterKey.load(path: configuration.resolvedMasterKeyFile))
    }

    func realmConfig(in store: SQLiteStore) async throws -> RealmConfig {
        guard let config = try await store.realm(named: realm) else {
            let names = try await store.realmNames()
            throw ValidationError("realm \(realm) is not in the store; known: \(names.joined(separator: ", "))")
        }
        return config
    }
}

/// `herald key list`: the realm's keys and their slots.
struct KeyListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List a realm's signing keys.")

    @OptionGroup var options: OfflineStoreOptions
    @Option(help: "table|json") var output: String = "table"

    func validate() throws {
        guard OutputFormat(rawValue: output) != nil else { throw ValidationError("--output must be table or json") }
    }

    func run() async throws {
        let (store, _) = try options.openStore()
        _ = try await options.realmConfig(in: store)
        let keys = try await store.keys(realm: options.realm)
        func time(_ date: Date?) -> String { date.map { ISO8601DateFormatter().string(from: $0) } ?? "" }
        if OutputFormat(rawValue: output) == .json {
            let rows: [[String: String]] = keys.map {
                ["kid": $0.kid, "alg": $0.algorithm.rawValue, "state": $0.state.rawValue, "created_at": time($0.createdAt),
                 "activate_at": time($0.activateAt), "activated_at": time($0.activatedAt), "retired_at": time($0.retiredAt),
                 "publish_until": time($0.publishUntil), "revoked_at": time($0.revokedAt)]
            }
            let data = try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(renderTable(["KID", "ALG", "STATE", "CREATED", "SIGNS FROM", "PUBLISHED UNTIL"], keys.map {
                [$0.kid, $0.algorithm.rawValue, $0.state.rawValue, time($0.createdAt), time($0.activatedAt ?? $0.activateAt),
                 time($0.publishUntil)]
            }))
        }
    }
}

/// `herald key rotate`: prepare the next key (signs after publish_ahead), or switch now.
struct KeyRotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Prepare the realm's next signing key; the server activates it after publish_ahead.",
        discussion: "Run it while the server is stopped; the server picks the keys up at start.")

    @OptionGroup var options: OfflineStoreOptions
    @Option(help: "ES256 or EdDSA (default: the realm's signing algorithm).") var algorithm: String?
    @Flag(help: "Activate the new key at once and retire the current one (for a compromised key).") var now = false

    func run() async throws {
        let (store, masterKey) = try options.openStore()
        let config = try await options.realmConfig(in: store)
        let name = algorithm ?? config.signingAlgorithm.rawValue
        guard let algorithm = SigningAlgorithm(rawValue: name), config.algorithms.contains(algorithm) else {
            throw ValidationError("realm \(config.name) signs with \(config.algorithms.map(\.rawValue).joined(separator: ", ")), not \(name)")
        }
        let manager = KeyManager(store: store, sealer: masterKey.keySealer, clock: SystemClock(),
                                 logger: Logger(label: "herald.key"))
        let immediately = now
        let events = try await manager.change(config, ring: nil) { schedule, keys, time in
            try schedule.rotate(&keys, algorithm: algorithm, immediately: immediately, now: time)
        }
        for event in events { print(event.description) }
    }
}

import ArgumentParser
import Foundation
import HeraldCore
import HeraldJOSE
import HeraldServer
import HeraldServices
import Logging

/// `herald key rotate`: prepare the next key (signs after publish_ahead), or switch now.
/// Offline, on the data directory; on a running server use `key prepare` and `key activate`.
struct KeyRotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Offline: prepare the realm's next signing key; the server activates it after publish_ahead.",
        discussion: """
            Run it while the server is stopped; the server picks the keys up at start. On a running \
            server, use `herald key prepare` and `herald key activate KID` instead.
            """)

    @OptionGroup var options: OfflineStoreOptions
    @Option(help: "ES256 or EdDSA (default: the realm's signing algorithm).") var algorithm: String?
    @Flag(help: "Activate the new key at once and retire the current one (for a compromised key).") var now = false

    func run() async throws {
        let offline = options.offline
        let (store, masterKey) = try await offline.open()
        let config = try await offline.realmConfig(in: store)
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
        for event in events { Console.write(event.description) }
    }
}

import ArgumentParser
import Foundation

/// `herald key list`: the realm's keys and their slots, from the server, or with `--data`
/// from a stopped server's data directory.
struct KeyListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List a realm's signing keys.",
        discussion: "With --data DIR it reads the data directory of a stopped server instead of asking the server.")

    @OptionGroup var options: AdminOptions
    @Option(help: "Offline: the data directory of a stopped server.") var data: String?

    func run() async throws {
        if let data {
            try await listOffline(OfflineStore(data: data, store: nil, realm: options.realmName))
            return
        }
        let session = try options.connect()
        options.emit(try await session.json(.GET, options.path("keys")), table: KeyTable.render)
    }

    private func listOffline(_ offline: OfflineStore) async throws {
        let (store, _) = try await offline.open()
        _ = try await offline.realmConfig(in: store)
        let keys = try await store.keys(realm: offline.realm)
        func time(_ date: Date?) -> String { date.map { ISO8601DateFormatter().string(from: $0) } ?? "" }
        if options.output == .json {
            let rows: [JSONValue] = keys.map {
                JSONValue.object(["kid": .string($0.kid), "alg": .string($0.algorithm.rawValue), "state": .string($0.state.rawValue),
                 "created_at": .string(time($0.createdAt)), "activate_at": .string(time($0.activateAt)),
                 "activated_at": .string(time($0.activatedAt)), "retired_at": .string(time($0.retiredAt)),
                 "publish_until": .string(time($0.publishUntil)), "revoked_at": .string(time($0.revokedAt))])
            }
            Console.write(JSONValue.array(rows).rendered())
        } else {
            Console.write(renderTable(KeyTable.header, keys.map {
                [$0.kid, $0.algorithm.rawValue, $0.state.rawValue, time($0.createdAt), time($0.activatedAt ?? $0.activateAt),
                 time($0.publishUntil)]
            }))
        }
    }
}

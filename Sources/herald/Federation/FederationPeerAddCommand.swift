import ArgumentParser
import HeraldAPI
import HeraldCore

/// `herald federation peer add --entity URL --pin THUMBPRINT --max-level L2`: trust another
/// organisation's realm. The server fetches its bundle once before answering.
struct FederationPeerAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a federation peer (pinned by its federation key).",
        discussion: """
            The server adds the peer to the realm's `federation.peers` and fetches its trust bundle \
            once; the peer is added even when that first fetch fails (its status says why, and the \
            refresh service keeps trying). The pin, level and durations are checked by the server's \
            realm-file loader.
            """)

    @OptionGroup var options: AdminOptions
    @Option(help: "The peer's entity (issuer) URL, e.g. https://herald.globex.example/realms/globex.") var entity: String
    @Option(help: "RFC 7638 SHA-256 thumbprint of the peer's federation key (43 base64url characters).") var pin: String
    @Option(help: "Highest level granted to the peer's agents: L0…L4.") var maxLevel: String
    @Option(help: "How often to fetch its bundle, e.g. 5m (default: the bundle's refresh_hint).") var refresh: String?
    @Option(help: "How long its last good bundle may be used when it cannot be fetched, e.g. 1h.") var maxStaleness: String?

    func validate() throws {
        try PeerTable.checkEntity(entity, option: "--entity")
        guard !pin.isEmpty, !pin.contains(where: \.isWhitespace) else {
            throw ValidationError("--pin is the peer's federation key thumbprint (its `herald federation key show` prints it)")
        }
        guard TrustLevel(name: maxLevel) != nil else {
            throw ValidationError("--max-level must be one of L0, L1, L2, L3, L4, not '\(maxLevel)'")
        }
        for (name, value) in [("--refresh", refresh), ("--max-staleness", maxStaleness)] {
            if let value, value.isEmpty || value.contains(where: \.isWhitespace) {
                throw ValidationError("\(name) is a duration such as 30s, 5m or 1h, not '\(value)'")
            }
        }
    }

    func run() async throws {
        let session = try options.connect()
        let body = AdminPeerEntry(entity: entity, pin: pin, maxLevel: TrustLevel(name: maxLevel)?.name ?? maxLevel,
                                  refresh: refresh, maxStaleness: maxStaleness)
        let peer = try await session.json(.POST, options.path("federation", "peers"), request: body, hints: [
            409: "`herald federation peer show \(entity)` shows it; `peer rm` it first to change its pin or level",
        ])
        options.emit(peer) { json in
            "added " + PeerTable.statusLine(json) + "\n" + PeerTable.renderOne(json)
        }
    }
}

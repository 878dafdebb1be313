import ArgumentParser

/// `herald federation peer refresh ID|ENTITY`: fetch, verify and apply the peer's bundle
/// now. Exits 2 with the reason when the bundle is not accepted (the last good one stays).
struct FederationPeerRefreshCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh", abstract: "Fetch a peer's trust bundle now; exit 2 if it is not accepted.",
        discussion: """
            Prints the peer as `peer show` does. When the status is not ok (unreachable, rejected) \
            the command exits 2 with the reason on one line; the last good bundle stays in force \
            until its max_staleness.
            """)

    @OptionGroup var options: AdminOptions
    @Argument(help: "Peer id (peer-…) or entity URL.") var peer: String

    func validate() throws { try PeerTable.checkPeer(peer) }

    func run() async throws {
        let session = try options.connect()
        let id = try await PeerTable.resolve(peer, session: session, options: options)
        let json = try await session.json(.POST, options.path("federation", "peers", id, "refresh"),
                                          hints: [404: PeerTable.notFoundHint])
        options.emit(json) { PeerTable.statusLine($0) + "\n" + PeerTable.renderOne($0) }
        guard json["status"]?.string == "ok" else {
            throw CLIError.refused("refresh failed: " + PeerTable.statusLine(json))
        }
    }
}

import ArgumentParser

/// `herald federation peer show ID|ENTITY`: one peer: status, last bundle, agent counts.
struct FederationPeerShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one federation peer: status, bundle sequence, agents, refresh times.")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Peer id (peer-…) or entity URL.") var peer: String

    func validate() throws { try PeerTable.checkPeer(peer) }

    func run() async throws {
        let session = try options.connect()
        let id = try await PeerTable.resolve(peer, session: session, options: options)
        let json = try await session.json(.GET, options.path("federation", "peers", id), hints: [404: PeerTable.notFoundHint])
        options.emit(json) { PeerTable.statusLine($0) + "\n" + PeerTable.renderOne($0) }
    }
}

import ArgumentParser

/// `herald federation peer rm ID|ENTITY`: stop trusting a peer; its agents are refused at once.
struct FederationPeerRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove a federation peer; its agents are no longer trusted.")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Peer id (peer-…) or entity URL.") var peer: String

    func validate() throws { try PeerTable.checkPeer(peer) }

    func run() async throws {
        let session = try options.connect()
        let id = try await PeerTable.resolve(peer, session: session, options: options)
        _ = try await session.send(.DELETE, options.path("federation", "peers", id), hints: [404: PeerTable.notFoundHint])
        if options.output == .table { Console.write("removed peer \(id)" + (id == peer ? "" : " (\(peer))")) }
    }
}

import ArgumentParser

/// `herald federation peer list`: every peer of the realm with its refresh status.
struct FederationPeerListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List federation peers and their status.")

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let session = try options.connect()
        options.emit(try await session.json(.GET, options.path("federation", "peers")), table: PeerTable.renderList)
    }
}

import ArgumentParser

/// `herald client rm ID`: removes a client; its tokens are no longer issued.
struct ClientRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a client.")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Client id.") var clientID: String

    func validate() throws { try ClientTable.checkClientID(clientID) }

    func run() async throws {
        let session = try options.connect()
        _ = try await session.send(.DELETE, options.path("clients", clientID), hints: [
            404: "no such client; `herald client list` shows them",
        ])
        if options.output == .table { Console.write("removed client \(clientID)") }
    }
}

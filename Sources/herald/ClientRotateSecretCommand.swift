import ArgumentParser

/// `herald client rotate-secret ID`: replaces a client's secret; the old one stops working.
struct ClientRotateSecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-secret", abstract: "Give a secret client a new secret (printed once).")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Client id.") var clientID: String

    func validate() throws { try ClientTable.checkClientID(clientID) }

    func run() async throws {
        let session = try options.connect()
        let answer = try await session.json(.POST, options.path("clients", clientID, "secret"), hints: [
            404: "no such client; `herald client list` shows them",
        ])
        if options.output == .json {
            Console.write(answer.rendered())
            return
        }
        guard let secret = answer["client_secret"]?.string else {
            throw CLIError.refused("the server's answer has no client_secret")
        }
        Console.write("new secret for client \(clientID); the old one no longer works")
        ClientTable.announceSecret(secret)
    }
}

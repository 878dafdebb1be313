import ArgumentParser
import HeraldAPI

/// `herald client rotate-secret ID`: replaces a client's secret; the old one stops working.
struct ClientRotateSecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-secret", abstract: "Give a secret client a new secret (printed once).")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Client id.") var clientID: String

    func validate() throws { try ClientTable.checkClientID(clientID) }

    func run() async throws {
        let session = try options.connect()
        let answer = try await session.call(.POST, options.path("clients", clientID, "secret"), as: AdminClientSecret.self, hints: [
            404: "no such client; `herald client list` shows them",
        ])
        if options.output == .json {
            Console.write(answer.json.rendered())
            return
        }
        let secret = answer.value.clientSecret
        Console.write("new secret for client \(clientID); the old one no longer works")
        ClientTable.announceSecret(secret)
    }
}

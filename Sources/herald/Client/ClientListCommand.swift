import ArgumentParser
import HeraldAPI

/// `herald client list`: the realm's clients (never their secrets).
struct ClientListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the realm's clients.")

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let session = try options.connect()
        options.emit(try await session.call(.GET, options.path("clients"), as: AdminClientList.self), table: ClientTable.render)
    }
}

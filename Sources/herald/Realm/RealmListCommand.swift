import ArgumentParser
import HeraldAPI

/// `herald realm list`: the realms the server holds.
struct RealmListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the server's realms.")

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let session = try options.connect()
        let realms = try await session.call(.GET, AdminClient.path("admin", "realms"), as: AdminRealmList.self)
        options.emit(realms) { list in renderTable(["REALM"], list.realms.map { [$0] }) }
    }
}

import ArgumentParser

/// `herald realm list`: the realms the server holds.
struct RealmListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the server's realms.")

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let session = try options.connect()
        let realms = try await session.json(.GET, AdminClient.path("admin", "realms"))
        options.emit(realms) { json in
            renderTable(["REALM"], (json["realms"]?.array ?? []).map { [$0.cell] })
        }
    }
}

import ArgumentParser

/// `herald key retire KID`: moves one key to its next slot through the admin API.
struct KeyRetireCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retire", abstract: "Stop an active key signing; it stays published until its tokens expire.",
        discussion: "A prepared key of the same algorithm (or a new one) signs from then on.")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Key id (a kid starting with - goes after --, e.g. `-- -AHCz…`).") var kid: String

    func validate() throws { try KeyTable.checkKID(kid) }

    func run() async throws {
        let session = try options.connect()
        let key = try await session.json(.POST, options.path("keys", kid, "retire"), hints: [
            404: "`herald key list --realm \(options.realmName)` shows the keys and their states",
            409: "`herald key list --realm \(options.realmName)` shows the keys and their states",
        ])
        options.emit(key, table: KeyTable.describe)
    }
}

import ArgumentParser

/// `herald key activate KID`: moves one key to its next slot through the admin API.
struct KeyActivateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activate", abstract: "Make a prepared key sign now; the current key of its algorithm retires.")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Key id of a prepared key (a kid starting with - goes after --, e.g. `-- -AHCz…`).") var kid: String

    func validate() throws { try KeyTable.checkKID(kid) }

    func run() async throws {
        let session = try options.connect()
        let key = try await session.json(.POST, options.path("keys", kid, "activate"), hints: [
            404: "`herald key list --realm \(options.realmName)` shows the keys and their states",
            409: "`herald key list --realm \(options.realmName)` shows the keys and their states",
        ])
        options.emit(key, table: KeyTable.describe)
    }
}

import ArgumentParser

/// `herald key revoke KID`: moves one key to its next slot through the admin API.
struct KeyRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Remove a key from the JWKS at once: tokens it signed stop verifying.")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Key id (a kid starting with - goes after --, e.g. `-- -AHCz…`).") var kid: String

    func validate() throws { try KeyTable.checkKID(kid) }

    func run() async throws {
        let session = try options.connect()
        let key = try await session.json(.POST, options.path("keys", kid, "revoke"), hints: [
            404: "`herald key list --realm \(options.realmName)` shows the keys and their states",
            409: "`herald key list --realm \(options.realmName)` shows the keys and their states",
        ])
        options.emit(key, table: KeyTable.describe)
    }
}

import ArgumentParser

/// `herald key activate KID`: moves one key to its next slot through the admin API.
struct KeyActivateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activate", abstract: "Make a prepared key the realm's signing key.")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Key id of a prepared key.") var kid: String

    func validate() throws { try KeyTable.checkKID(kid) }

    func run() async throws {
        let session = try options.connect()
        let key = try await session.json(.POST, options.path("keys", kid, "activate"), hints: [
            404: "no such key in realm \(options.realmName); `herald key list` shows them",
            409: "the key is not in a slot it can be activated from; `herald key list` shows its state",
        ])
        options.emit(key, table: KeyTable.describe)
    }
}

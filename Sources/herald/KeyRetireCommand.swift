import ArgumentParser

/// `herald key retire KID`: moves one key to its next slot through the admin API.
struct KeyRetireCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retire", abstract: "Stop a key signing; it stays published until its tokens have expired.")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Key id.") var kid: String

    func validate() throws { try KeyTable.checkKID(kid) }

    func run() async throws {
        let session = try options.connect()
        let key = try await session.json(.POST, options.path("keys", kid, "retire"), hints: [
            404: "no such key in realm \(options.realmName); `herald key list` shows them",
            409: "the key is not in a slot it can be retired from; `herald key list` shows its state",
        ])
        options.emit(key, table: KeyTable.describe)
    }
}

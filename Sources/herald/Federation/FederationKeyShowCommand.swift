import ArgumentParser

/// `herald federation key show`: this realm's entity, its pin and its federation keys.
struct FederationKeyShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show the realm's entity, its pin (give it to partners) and its federation keys.")

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let session = try options.connect()
        let json = try await session.json(.GET, options.path("federation"))
        options.emit(json) { json in
            FederationKeyView.render(json) + "\npartners add this realm with: herald federation peer add --entity "
                + "\(json["entity"]?.cell ?? "?") --pin \(json["pin"]?.cell ?? "?") --max-level L2"
        }
    }
}

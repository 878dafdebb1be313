import ArgumentParser

/// `herald federation key rotate`: the announced next key becomes current (peers already
/// know it), the old current key is revoked, and a new next key is announced.
struct FederationKeyRotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate", abstract: "Promote the next federation key to current and announce a new next key.",
        discussion: """
            Peers that accepted a bundle since the next key was announced follow without re-pinning; \
            a peer that has not refreshed since must be given the new pin.
            """)

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let session = try options.connect()
        let json = try await session.json(.POST, options.path("federation", "keys", "rotate"), hints: [
            404: "check --realm; the realm has no federation keys yet if the server has just started",
        ])
        options.emit(json) { json in
            "rotated: pin now \(json["pin"]?.cell ?? "?"); next key \(FederationKeyView.kid(json, "next") ?? "?") announced\n"
                + FederationKeyView.render(json)
        }
    }
}

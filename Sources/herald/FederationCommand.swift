import ArgumentParser

/// `herald federation …`: trust between realms of different organisations
/// (wire-formats §7).
struct FederationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "federation", abstract: "Federation with peer realms: trust bundles.",
        discussion: """
            `bundle show` and `bundle verify` work offline on a bundle file (the body of \
            GET {issuer}/federation/bundle).
            """,
        // `peer add|list|show|rm|refresh` (admin API) joins here as FederationPeerCommand.
        subcommands: [FederationBundleCommand.self, FederationBenchCommand.self])
}

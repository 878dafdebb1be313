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
        // `peer` and `key` talk to the admin API; `bundle` and `bench` work offline.
        subcommands: [FederationPeerCommand.self, FederationKeyCommand.self, FederationBundleCommand.self, FederationBenchCommand.self])
}

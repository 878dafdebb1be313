import ArgumentParser

/// `herald`: the server (`serve`) and its `<noun> <verb>` admin commands.
@main
struct HeraldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herald",
        abstract: "Federated trust authority and OIDC claim issuer for AI agents.",
        subcommands: [ServeCommand.self, RealmCommand.self, KeyCommand.self]
    )
}

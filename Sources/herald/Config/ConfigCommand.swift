import ArgumentParser

/// `herald config`: the `herald.yaml` that `herald serve --config` reads.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check or write herald.yaml, the settings file of `herald serve --config`.",
        subcommands: [ConfigCheckCommand.self, ConfigExampleCommand.self])
}

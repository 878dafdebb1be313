import ArgumentParser

/// `herald passport …`: agent passports (wire-formats §4).
struct PassportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passport", abstract: "Agent passports: issue (admin API), verify offline.",
        subcommands: [PassportIssueCommand.self, PassportVerifyCommand.self, PassportBenchCommand.self])
}

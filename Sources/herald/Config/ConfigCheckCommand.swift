import ArgumentParser
import Foundation
import HeraldAPI

/// `herald config check FILE`: validates a `herald.yaml` and prints what `herald serve
/// --config FILE` would run with in this environment.
struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Validate herald.yaml and print the effective settings.",
        discussion: """
            Every problem is printed with its line and key, and the exit code is 1. Otherwise \
            the settings are printed as herald serve would use them with FILE and the HERALD_* \
            variables set here (flags are not taken into account), each with where it came from: \
            env, file or default. Secrets are shown as <redacted>.
            """)

    @Argument(help: "The herald.yaml file.") var file: String

    func run() throws {
        let config: ServerConfigFile
        do { config = try ServerConfigFile.load(path: file) } catch let error as RealmFileError {
            printError(error.description)
            throw CLIError.usage("\(file) has \(error.issues.count) problem\(error.issues.count == 1 ? "" : "s"); "
                + "fix them (`herald config example` shows every key)")
        }
        Console.write("# \(file) is valid; herald serve --config \(file) would run with:")
        Console.write(ServeSettings(flags: [:], environment: Console.environment, file: config).rendered())
    }
}

import ArgumentParser
import Foundation
import HeraldStore

/// `herald`: the server (`serve`) and its `<noun> <verb>` admin commands.
@main
struct HeraldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herald",
        abstract: "Federated trust authority and OIDC claim issuer for AI agents.",
        discussion: """
            Admin verbs talk to a running server: `herald login --server URL` first (with the \
            credentials in the server's data/admin-credentials), then `herald <noun> <verb>` with \
            --realm (env HERALD_REALM; default acme) and --output table|json. `realm validate`, \
            `audit verify`, `key list --data`, `key rotate`, `backup` and `migrate` work offline.

            Exit status: 0 success, 1 wrong usage or local input, 2 the server refused, 3 the \
            server cannot be reached, 4 `audit verify` found the chain broken \
            (or `backup verify|restore` the backup unsound).

            Shell completion: `herald completion bash|zsh|fish` prints the script.
            """,
        version: HeraldVersion.current,
        subcommands: [ServeCommand.self, LoginCommand.self, RealmCommand.self, LevelCommand.self, MappingCommand.self,
                      ClientCommand.self, AgentCommand.self, KeyCommand.self, AuditCommand.self, PassportCommand.self,
                      KillCommand.self, ReviveCommand.self, DirectoryCommand.self, FederationCommand.self,
                      BackupCommand.self, MigrateCommand.self, ConfigCommand.self, SignRequestCommand.self, CompletionCommand.self]
    )

    static func main() async {
        let code = await execute(Array(CommandLine.arguments.dropFirst()))
        Foundation.exit(code)
    }

    /// Parses and runs `arguments`; reports any failure in one line on standard error and
    /// returns the exit status (see the root command's discussion).
    static func execute(_ arguments: [String]) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let error as CLIError {
            if !error.message.isEmpty {
                printError("herald: " + error.message.split(whereSeparator: \.isNewline).joined(separator: " "))
            }
            return error.exitCode
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help, --version and other clean exits print to standard output.
                Console.write(fullMessage(for: error))
                return 0
            }
            if code == .validationFailure {
                printError("herald: \(oneLine(error))")
                return CLIError.Kind.usage.rawValue
            }
            let message = message(for: error)
            if !message.isEmpty { printError("herald: \(message)") }
            return code.rawValue
        }
    }

    /// A usage error in one line, with the help command to run.
    private static func oneLine(_ error: any Error) -> String {
        let text = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
        let help = fullMessage(for: error).split(separator: "\n").first { $0.contains("--help'") }
            .flatMap { line in line.split(separator: "'").dropFirst().first }
        return help.map { "\(text) (see `\($0)`)" } ?? text
    }
}

import Foundation
import HeraldTesting
import Synchronization
@testable import herald

/// What one in-process `herald …` run printed and returned.
struct CLIResult: Sendable, CustomStringConvertible {
    let status: Int32
    let output: String
    let errors: String

    var description: String { "status \(status)\nstdout:\n\(output)\nstderr:\n\(errors)" }
}

/// Runs `herald` commands in-process with their own environment (HOME, XDG_CONFIG_HOME,
/// HERALD_*), capturing what they print.
struct CLIHarness: Sendable {
    let directory: TemporaryDirectory
    var environment: [String: String]

    init(environment: [String: String] = [:]) throws {
        directory = try TemporaryDirectory("herald-cli")
        self.environment = ["HOME": directory.file("home"), "XDG_CONFIG_HOME": directory.file("config")]
            .merging(environment) { $1 }
    }

    /// The session file the commands use.
    var sessionStore: SessionStore { SessionStore(environment: environment) }

    func run(_ arguments: [String]) async -> CLIResult {
        let output = Lines()
        let errors = Lines()
        let status = await Console.$environment.withValue(environment) {
            await Console.$output.withValue({ output.append($0) }) {
                await Console.$errors.withValue({ errors.append($0) }) {
                    await HeraldCommand.execute(arguments)
                }
            }
        }
        return CLIResult(status: status, output: output.text, errors: errors.text)
    }

    func run(_ line: String) async -> CLIResult {
        await run(line.split(separator: " ").map(String.init))
    }
}

/// Lines written by a command, from any thread.
final class Lines: Sendable {
    private let storage = Mutex<[String]>([])

    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var text: String { storage.withLock { $0.joined(separator: "\n") } }
}

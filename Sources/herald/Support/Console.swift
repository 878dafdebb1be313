import Foundation

/// Where commands write, and the environment they read.
///
/// Commands print through here rather than with `print`, so that tests can run a command
/// in-process and read what it wrote; by default lines go to standard output and error.
enum Console {
    /// Receives each line written to standard output, when set (tests).
    @TaskLocal static var output: (@Sendable (String) -> Void)?
    /// Receives each line written to standard error, when set (tests).
    @TaskLocal static var errors: (@Sendable (String) -> Void)?
    /// Environment variables the commands read (HERALD_SERVER, HERALD_REALM, XDG_CONFIG_HOME, HOME…).
    @TaskLocal static var environment: [String: String] = ProcessInfo.processInfo.environment

    /// Writes `text` and a newline to standard output.
    static func write(_ text: String) {
        if let output { output(text) } else { print(text) }
    }

    /// Writes `text` and a newline to standard error.
    static func writeError(_ text: String) {
        if let errors { errors(text) } else { FileHandle.standardError.write(Data((text + "\n").utf8)) }
    }
}

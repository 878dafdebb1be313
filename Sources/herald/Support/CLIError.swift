/// A failure the CLI reports in one line, with the exit code scripts can branch on.
///
/// Codes: 1 the command line or local input is wrong (or there is no session), 2 the server
/// refused the request, 3 the server cannot be reached, 4 `audit verify` found tampering.
struct CLIError: Error, CustomStringConvertible, Equatable {
    enum Kind: Int32, Sendable {
        case usage = 1
        case refused = 2
        case unreachable = 3
        /// `audit verify` found the chain broken (the report says where), or `backup verify`
        /// an unsound backup.
        case broken = 4
    }

    let kind: Kind
    let message: String

    var exitCode: Int32 { kind.rawValue }
    var description: String { message }

    /// The command line or a local file is wrong.
    static func usage(_ message: String) -> CLIError { CLIError(kind: .usage, message: message) }
    /// The server answered with an error.
    static func refused(_ message: String) -> CLIError { CLIError(kind: .refused, message: message) }
    /// No answer from the server.
    static func unreachable(_ message: String) -> CLIError { CLIError(kind: .unreachable, message: message) }

    /// The message when no session exists.
    static let notLoggedIn = CLIError.usage("not logged in: run `herald login --server URL`")
}

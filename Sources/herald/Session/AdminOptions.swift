import ArgumentParser
import Foundation

extension OutputFormat: ExpressibleByArgument {}

/// The options of every online command: where the server is, which realm, how to print.
struct AdminOptions: ParsableArguments {
    @Option(help: "Herald server URL (env HERALD_SERVER; default: the server of `herald login`).")
    var server: String?
    @Option(help: "Realm to manage (env HERALD_REALM; default acme).")
    var realm: String?
    @Option(help: "How to print: json is the server's answer, pretty, with sorted keys.")
    var output: OutputFormat = .table
    @OptionGroup(title: "TLS")
    var tls: TLSClientOptions

    func validate() throws {
        if let server = server ?? Console.environment["HERALD_SERVER"] {
            do { _ = try AdminClient.normalize(server) } catch let error as CLIError {
                throw ValidationError(error.message)
            }
        }
        try Self.checkRealmName(realmName)
    }

    /// The realm: --realm, else HERALD_REALM, else acme.
    var realmName: String { realm ?? Console.environment["HERALD_REALM"] ?? "acme" }

    /// `--server`, else HERALD_SERVER; nil means the session's server.
    var serverURL: String? { server ?? Console.environment["HERALD_SERVER"] }

    /// Opens the saved session (see ``AdminSession``).
    func connect() throws -> AdminSession {
        try AdminSession.open(server: serverURL, tls: tls.given)
    }

    /// `/admin/realms/{realm}/…` with each segment encoded.
    func path(_ segments: String...) -> String {
        ([AdminClient.path("admin", "realms", realmName)] + segments.map { AdminClient.path($0) }).joined()
    }

    /// Prints `json` (for --output json) or the table built from it.
    func emit(_ json: JSONValue, table: (JSONValue) -> String) {
        Console.write(output == .json ? json.rendered() : table(json))
    }

    static func checkRealmName(_ name: String) throws {
        guard (1...63).contains(name.count),
              name.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" })
        else { throw ValidationError("realm names are 1–63 of a-z, 0-9 and -, not '\(name)'") }
    }
}

/// Splits a comma-separated option value, dropping blanks.
func commaList(_ text: String) -> [String] {
    text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

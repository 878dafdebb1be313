import ArgumentParser
import Foundation

/// `herald realm export`: the realm as the server holds it, in the realm-file form.
struct RealmExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write the realm in the realm-file form (YAML or JSON).",
        discussion: "The output imports again with `herald realm import --override FILE`. Files are written mode 0600.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case yaml, json
    }

    @OptionGroup var options: AdminOptions
    @Option(help: "yaml|json") var format: Format = .yaml
    @Option(name: [.customShort("o"), .customLong("output-file")], help: "Write to FILE instead of standard output.")
    var outputFile: String?

    func validate() throws {
        if let outputFile, outputFile.isEmpty { throw ValidationError("-o needs a file name") }
    }

    /// The export as text: YAML as the server wrote it, JSON pretty with sorted keys.
    static func fetch(_ session: AdminSession, realm: String, format: Format) async throws -> String {
        let result = try await session.send(.GET, AdminClient.path("admin", "realms", realm),
                                            accept: "application/\(format.rawValue)",
                                            hints: [404: "no realm \(realm) on the server; `herald realm list` shows them"])
        switch format {
        case .yaml: return result.text
        case .json: return try result.json().rendered()
        }
    }

    func run() async throws {
        let session = try options.connect()
        var text = try await Self.fetch(session, realm: options.realmName, format: format)
        if !text.hasSuffix("\n") { text += "\n" }
        guard let outputFile else {
            Console.write(String(text.dropLast()))
            return
        }
        do { try PrivateFile.write(Data(text.utf8), to: outputFile) } catch {
            throw CLIError.usage("cannot write \(outputFile): \(error)")
        }
        printError("exported realm \(options.realmName) to \(outputFile)")
    }
}

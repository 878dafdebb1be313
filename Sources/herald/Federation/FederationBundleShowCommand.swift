import ArgumentParser
import Foundation
import HeraldFederation

/// `herald federation bundle show FILE|-`: what a trust bundle says, without checking it.
struct FederationBundleShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Offline: summarise a trust bundle (the signature is not checked).",
        discussion: """
            FILE (or - for standard input) holds the compact JWS a realm serves at \
            {issuer}/federation/bundle. Prints iss, sequence, lifetime, keys and agent counts by \
            status and level. Nothing is verified: use `bundle verify` for that. Exit status 0: \
            shown; 2: not a trust bundle; 1: unreadable input.
            """)

    @Argument(help: "Bundle file, or - for standard input.") var file: String
    @Option(help: "Largest bundle accepted, in bytes.") var maxBytes: Int = UnverifiedBundle.defaultMaxBytes
    @Option(help: "table|json") var output: OutputFormat = .table

    func run() async throws {
        let text = try FederationBundleCommand.read(file)
        let bundle: UnverifiedBundle
        let content: TrustBundle
        do {
            bundle = try UnverifiedBundle(compact: text, maxBytes: maxBytes)
            content = try bundle.unverifiedContent()
        } catch {
            throw CLIError.refused("not a trust bundle (\(error.code)): \(error.message)")
        }
        Console.write(FederationBundleCommand.render(content, header: bundle.header,
                                                     extra: [("verified", .bool(false)), ("typ", .string(bundle.header.typ ?? ""))],
                                                     as: output))
    }
}

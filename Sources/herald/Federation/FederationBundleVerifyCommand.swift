import ArgumentParser
import Foundation
import HeraldFederation

/// `herald federation bundle verify FILE --pin THUMBPRINT --issuer URL`: checks a trust
/// bundle offline exactly as a peer realm does, and says why it is refused.
struct FederationBundleVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Offline: verify a trust bundle against pinned keys and say why it fails.",
        discussion: """
            Checks what a peer realm checks (wire-formats §7): typ trust-bundle+jwt, a signature \
            by a key whose RFC 7638 thumbprint is pinned (--pin, repeatable; the key itself comes \
            from the bundle's federation_keys), iss equal to --issuer, exp in the future, and \
            with --after-sequence N a sequence above N (a delta must then be relative to N). \
            Exit status 0: valid; 2: refused (the reason on one line); 1: wrong usage or \
            unreadable input.
            """)

    @Argument(help: "Bundle file, or - for standard input.") var file: String
    @Option(help: "RFC 7638 thumbprint of a federation key of the issuer; repeat for several.") var pin: [String] = []
    @Option(help: "The peer's entity id (its issuer URL); the bundle's iss must equal it.") var issuer: String
    @Option(help: "The last sequence accepted from this peer: the bundle must be newer.") var afterSequence: Int64?
    @Option(help: "Largest bundle accepted, in bytes.") var maxBytes: Int = UnverifiedBundle.defaultMaxBytes
    @Option(help: "table|json") var output: OutputFormat = .table

    func validate() throws {
        guard !pin.isEmpty else { throw ValidationError("--pin is required: the thumbprint of the issuer's federation key") }
        guard maxBytes > 0 else { throw ValidationError("--max-bytes must be positive") }
        if let afterSequence, afterSequence < 0 { throw ValidationError("--after-sequence must not be negative") }
    }

    func run() async throws {
        let text = try FederationBundleCommand.read(file)
        let anchor = PeerAnchor(entity: issuer, pins: Set(pin), lastSequence: afterSequence)
        let bundle: UnverifiedBundle
        let verified: VerifiedBundle
        do {
            bundle = try UnverifiedBundle(compact: text, maxBytes: maxBytes)
            verified = try BundleVerifier.verify(bundle, anchor: anchor, now: Date())
        } catch {
            throw CLIError.refused("bundle refused (\(error.code)): \(error.message)")
        }
        Console.write(FederationBundleCommand.render(
            verified.content, header: bundle.header,
            extra: [("valid", .bool(true)), ("signed_by", .string(verified.signingKeyThumbprint))], as: output))
    }
}

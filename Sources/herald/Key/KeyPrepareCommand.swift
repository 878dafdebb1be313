import ArgumentParser
import HeraldAPI
import HeraldCore

/// `herald key prepare`: creates the realm's next key; it is published at once and signs
/// after publish_ahead (or when activated).
struct KeyPrepareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare", abstract: "Create the next signing key (published now, signing later).")

    @OptionGroup var options: AdminOptions
    @Option(help: "ES256 or EdDSA (default: the realm's signing algorithm).") var algorithm: String?

    func validate() throws {
        if let algorithm, SigningAlgorithm(rawValue: algorithm) == nil {
            throw ValidationError("--algorithm must be \(SigningAlgorithm.allCases.map(\.rawValue).joined(separator: " or "))")
        }
    }

    func run() async throws {
        let session = try options.connect()
        let key = try await session.call(.POST, options.path("keys"), body: AdminKeyPrepareRequest(alg: algorithm),
                                         as: AdminKey.self)
        options.emit(key.json, table: KeyTable.describe)
    }
}

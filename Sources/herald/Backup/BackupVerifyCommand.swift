import ArgumentParser
import Foundation

/// `herald backup verify`: checks a backup file without restoring it.
struct BackupVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check a backup: digest, integrity, schema, audit chains, sealed keys.",
        discussion: """
            Extracts FILE into a scratch directory (under TMPDIR) and checks that herald.sqlite \
            matches the manifest's SHA-256, passes SQLite's integrity_check, has only migrations \
            this binary knows, holds the manifest's realms, and that every realm's audit chain and \
            signed checkpoints verify. With the master key (--master-key FILE, else \
            HERALD_MASTER_KEY_FILE) it also opens every sealed private key; no key material is \
            printed. Exit status 0: the backup is sound; 4: it is not (the reason on standard error).
            """)

    @Argument(help: "The backup file.") var file: String
    @Option(name: .customLong("master-key"), help: "Master key file (default: HERALD_MASTER_KEY_FILE if set).")
    var masterKeyFile: String?
    @Option(help: "table|json") var output: OutputFormat = .table

    func run() async throws {
        guard FileManager.default.fileExists(atPath: file) else {
            throw CLIError.usage("no backup file at \(file)")
        }
        let masterKey = try BackupInspection.masterKey(file: masterKeyFile)
        let scratch = try ScratchDirectory.make(in: NSTemporaryDirectory(), name: "herald-verify")
        defer { ScratchDirectory.remove(scratch) }
        let inspection = await BackupInspection.run(archive: file, scratch: scratch, masterKey: masterKey)
        if output == .json {
            Console.write(inspection.json.rendered())
        } else {
            Console.write("backup \(file)")
            for line in inspection.lines { Console.write("  " + line) }
            if inspection.isValid { Console.write("backup OK") }
        }
        try Self.requireValid(inspection, file)
    }

    /// Exit 4 with the problems in one line when the backup failed a check.
    static func requireValid(_ inspection: BackupInspection, _ file: String) throws {
        guard inspection.isValid else {
            throw CLIError(kind: .broken, message: "backup \(file) FAILED verification: "
                + inspection.problems.joined(separator: "; "))
        }
    }
}

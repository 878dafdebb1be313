import ArgumentParser
import Foundation
import HeraldCore
import HeraldStore

/// `herald backup create`: a consistent snapshot of a (possibly running) server's database.
struct BackupCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Write a backup of the data directory's database (the server may run).",
        discussion: """
            Copies herald.sqlite with SQLite's online backup API (a consistent snapshot as of one \
            commit, while the server keeps writing), checks the copy's integrity and writes FILE \
            (mode 0600) atomically: a tar archive of manifest.json (schema version, Herald version, \
            time, SHA-256 of the database, realms, audit entries) and herald.sqlite. The audit log \
            lives in the database, so it is in the snapshot. An existing FILE is kept unless --force.
            """)

    @OptionGroup var data: DataDirectoryOption
    @Option(help: "The backup file to write, e.g. /backup/herald-$(date +%F).tar.") var out: String
    @Flag(help: "Replace FILE if it exists.") var force = false
    @Option(help: "table|json") var output: OutputFormat = .table

    func run() async throws {
        let manifest = try Self.create(databasePath: try data.existingDatabase(), out: out, replace: force)
        if output == .json {
            Console.write(String(decoding: try manifest.encoded(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines))
        } else {
            Console.write("backup written to \(out): \(Self.summary(manifest))")
        }
        printError(BackupCommand.masterKeyWarning)
    }

    /// Snapshots `databasePath` into a new archive at `out`; returns its manifest.
    static func create(databasePath: String, out: String, replace: Bool) throws -> BackupManifest {
        if !replace, FileManager.default.fileExists(atPath: out) {
            throw CLIError.usage("\(out) exists; choose another --out, or pass --force to replace it")
        }
        let parent = ScratchDirectory.absolute(out).parent
        guard FileManager.default.fileExists(atPath: parent) else {
            throw CLIError.usage("the directory \(parent) of --out does not exist")
        }
        let scratch = try ScratchDirectory.make(in: parent, name: "herald-backup")
        defer { ScratchDirectory.remove(scratch) }
        let snapshot = (scratch as NSString).appendingPathComponent(BackupManifest.databaseFileName)
        let manifestFile = (scratch as NSString).appendingPathComponent(BackupManifest.fileName)
        do {
            try StoreBackup.snapshot(databasePath: databasePath, to: snapshot)
            let manifest = try StoreBackup.manifest(forSnapshot: snapshot, createdAt: Date())
            guard FileManager.default.createFile(atPath: manifestFile, contents: try manifest.encoded(),
                                                 attributes: [.posixPermissions: 0o600])
            else { throw CLIError.usage("cannot write \(manifestFile)") }
            try BackupArchive.write([(BackupManifest.fileName, manifestFile),
                                     (BackupManifest.databaseFileName, snapshot)], to: out, replace: replace)
            return manifest
        } catch let error as HeraldError {
            throw CLIError.usage(error.message)
        }
    }

    /// `schema v6, realms acme, master, 1234 audit entries, sha256 3f2a…`.
    static func summary(_ manifest: BackupManifest) -> String {
        "schema v\(manifest.schemaVersion), realms \(manifest.realms.joined(separator: ", ")), "
            + "\(manifest.auditLog.entries) audit entries, \(manifest.database.size) bytes, "
            + "sha256 \(manifest.database.sha256)"
    }
}

import ArgumentParser
import Foundation
import HeraldStore

/// `herald backup restore`: a verified backup becomes a data directory.
struct BackupRestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Verify a backup, then restore it into a new data directory.",
        discussion: """
            Runs every check of `backup verify` first; nothing is written unless they pass. The \
            database is extracted into a scratch directory beside DIR and renamed into place, so DIR \
            never holds half a restore. DIR must be absent or empty; with --force, an existing DIR \
            keeps its other files (master.key, admin-credentials) and its herald.sqlite is replaced \
            (stop the server using it first). The master key is not in the backup: put the same \
            master key in place before `herald serve --data DIR`.
            """)

    @Argument(help: "The backup file.") var file: String
    @Option(name: [.customLong("data-dir"), .customLong("data")], help: "The data directory to restore into.")
    var dataDir: String
    @Flag(help: "Replace the database of a data directory that is not empty.") var force = false
    @Option(name: .customLong("master-key"), help: "Master key file to check the sealed keys with (default: HERALD_MASTER_KEY_FILE if set).")
    var masterKeyFile: String?

    func run() async throws {
        guard FileManager.default.fileExists(atPath: file) else { throw CLIError.usage("no backup file at \(file)") }
        let (target, parent) = ScratchDirectory.absolute(dataDir)
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory)
        if exists, !isDirectory.boolValue { throw CLIError.usage("\(target) exists and is not a directory") }
        let present = exists ? try FileManager.default.contentsOfDirectory(atPath: target).sorted() : []
        if !present.isEmpty, !force {
            throw CLIError.usage("\(target) is not empty (\(present.prefix(5).joined(separator: ", "))); restore into "
                + "a new directory, or pass --force to replace its database (stop the server using it first)")
        }
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let masterKey = try BackupInspection.masterKey(file: masterKeyFile)
        let scratch = try ScratchDirectory.make(in: parent, name: "herald-restore")
        defer { ScratchDirectory.remove(scratch) }
        let inspection = await BackupInspection.run(archive: file, scratch: scratch, masterKey: masterKey)
        try BackupVerifyCommand.requireValid(inspection, file)
        try? FileManager.default.removeItem(atPath: (scratch as NSString).appendingPathComponent(BackupManifest.fileName))
        try Self.moveIntoPlace(scratch: scratch, target: target, targetExists: exists, targetEmpty: present.isEmpty)

        Console.write("restored \(file) into \(target)")
        for line in inspection.lines { Console.write("  " + line) }
        if let schema = inspection.schema, !schema.pending.isEmpty {
            Console.write("  herald serve migrates it from v\(schema.version) to v\(StoreSchema.latestVersion) at start "
                + "(`herald migrate --data-dir \(target) --dry-run` lists the migrations)")
        }
        let keyFile = (target as NSString).appendingPathComponent("master.key")
        if !FileManager.default.fileExists(atPath: keyFile) {
            Console.write("next: put the master key in place (copy it to \(keyFile), mode 0600, or set "
                + "HERALD_MASTER_KEY_FILE) before `herald serve --data \(target)`; without it the restored keys "
                + "cannot sign. Copy admin-credentials too if you log in with it.")
        }
    }

    /// Renames the verified database into `target`: the whole scratch directory when `target`
    /// is absent or empty, else only herald.sqlite over the old one (after its WAL files go).
    static func moveIntoPlace(scratch: String, target: String, targetExists: Bool, targetEmpty: Bool) throws {
        func fail(_ what: String) -> CLIError {
            CLIError.usage("\(what): \(String(cString: strerror(errno))); \(target) is unchanged")
        }
        if targetEmpty {
            guard chmod(scratch, 0o700) == 0 else { throw fail("cannot set the mode of \(scratch)") }
            if targetExists, rmdir(target) != 0 { throw fail("cannot replace the empty directory \(target)") }
            guard rename(scratch, target) == 0 else { throw fail("cannot rename \(scratch) to \(target)") }
            return
        }
        let database = (target as NSString).appendingPathComponent(BackupManifest.databaseFileName)
        // A stale -wal would be replayed into the restored file: it belongs to the old database.
        for suffix in ["-wal", "-shm", "-journal"] { unlink(database + suffix) }
        guard rename((scratch as NSString).appendingPathComponent(BackupManifest.databaseFileName), database) == 0 else {
            throw CLIError.usage("cannot rename the restored database to \(database): \(String(cString: strerror(errno))); "
                + "run the restore again")
        }
    }
}

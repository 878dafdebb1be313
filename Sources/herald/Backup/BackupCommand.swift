import ArgumentParser
import Foundation
import HeraldServer

/// `herald backup …`: consistent snapshots of a data directory, their checks, their restore.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Offline: back up, verify and restore a data directory's database.",
        discussion: """
            A backup is one file: a tar archive of manifest.json and a consistent snapshot of \
            herald.sqlite taken with SQLite's online backup API, so `backup create` works while the \
            server runs. It holds the realms, clients, agents, the audit log and the signing keys, \
            whose private parts are sealed with the master key. The master key is never in a \
            backup: keep a copy of it apart from the backups; without it a restored server cannot sign.
            """,
        subcommands: [BackupCreateCommand.self, BackupVerifyCommand.self, BackupRestoreCommand.self])

    /// Printed by `backup create` and `migrate` after every backup they write.
    static let masterKeyWarning = """
        MASTER KEY WARNING: the backup holds the signing keys sealed with the master key, and not \
        the master key itself. Without the same master key (the file HERALD_MASTER_KEY_FILE names, \
        default DATA/master.key) a restored server cannot sign. Store the master key apart from \
        the backups: whoever holds both can sign tokens for every realm.
        """
}

/// `--data-dir DIR` (also `--data`), as the other offline verbs name it.
struct DataDirectoryOption: ParsableArguments {
    @Option(name: [.customLong("data-dir"), .customLong("data")],
            help: "Data directory (env HERALD_DATA; default ./data).")
    var dataDir: String?

    var directory: String { dataDir ?? Console.environment["HERALD_DATA"] ?? "data" }
    var databasePath: String { ServerConfiguration(dataDirectory: directory).databasePath }

    /// The database path, or a usage error when the directory has none.
    func existingDatabase() throws -> String {
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw CLIError.usage("no database at \(databasePath); pass --data-dir DIR of a Herald server that has run")
        }
        return databasePath
    }
}

/// Scratch directories beside the files they produce, so a final rename stays on one file system.
enum ScratchDirectory {
    /// A new directory `parent/.NAME-XXXXXX`, mode 0700.
    static func make(in parent: String, name: String) throws -> String {
        var template = Array(((parent as NSString).appendingPathComponent(".\(name)-XXXXXX")).utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CLIError.usage("cannot create a scratch directory in \(parent): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    /// The absolute form of `path`, and the directory holding it.
    static func absolute(_ path: String) -> (path: String, parent: String) {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        return (url.path, url.deletingLastPathComponent().path)
    }

    /// Removes `path` and what it holds; never fails the command.
    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}

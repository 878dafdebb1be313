import ArgumentParser
import Foundation
import HeraldCore
import HeraldStore

/// `herald migrate`: shows or applies the database migrations this binary brings.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Offline: list (--dry-run) or apply pending database migrations.",
        discussion: """
            `herald serve` applies pending migrations at start; `migrate` does it as a separate step \
            of an upgrade, with the server stopped: --dry-run lists them and changes nothing; without \
            it a backup is written first (--backup-out FILE, default DIR/backups/\
            herald-before-vN-TIME.tar; --no-backup skips it), then the migrations are applied. A \
            database a newer Herald migrated is refused: this binary does not know its schema.
            """)

    @OptionGroup var data: DataDirectoryOption
    @Flag(name: .customLong("dry-run"), help: "List the pending migrations; change nothing.") var dryRun = false
    @Flag(name: .customLong("no-backup"), help: "Apply without taking a backup first.") var noBackup = false
    @Option(name: .customLong("backup-out"), help: "Where the backup taken before migrating goes.") var backupOut: String?
    @Option(help: "table|json") var output: OutputFormat = .table

    func validate() throws {
        if dryRun, noBackup || backupOut != nil {
            throw ValidationError("--dry-run changes nothing; --no-backup and --backup-out apply only without it")
        }
        if noBackup, backupOut != nil { throw ValidationError("--no-backup and --backup-out exclude each other") }
    }

    func run() async throws {
        let database = try data.existingDatabase()
        let schema: StoreSchema
        do {
            schema = try StoreSchema.read(databasePath: database)
            try schema.checkKnown()
        } catch let error as HeraldError { throw CLIError.usage("\(database): \(error.message)") }

        if dryRun || schema.pending.isEmpty {
            report(schema, database: database, applied: false, backup: nil)
            return
        }
        if FileManager.default.fileExists(atPath: database + "-shm") {
            printError("herald: note: \(database)-shm exists; if a server runs on \(data.directory), stop it first")
        }
        var backup: String?
        if !noBackup {
            let path = backupOut ?? defaultBackupPath(schema)
            try FileManager.default.createDirectory(atPath: ScratchDirectory.absolute(path).parent,
                                                    withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let manifest = try BackupCreateCommand.create(databasePath: database, out: path, replace: false)
            printError("herald: backup written to \(path): \(BackupCreateCommand.summary(manifest))")
            printError(BackupCommand.masterKeyWarning)
            backup = path
        }
        do { _ = try SQLiteStore(path: database) } catch let error as HeraldError {
            throw CLIError.usage(error.message + (backup.map { "; the backup taken before is \($0)" } ?? ""))
        }
        report(schema, database: database, applied: true, backup: backup)
    }

    private func defaultBackupPath(_ schema: StoreSchema) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let name = "herald-before-v\(StoreSchema.latestVersion)-\(formatter.string(from: Date())).tar"
        return ((data.directory as NSString).appendingPathComponent("backups") as NSString).appendingPathComponent(name)
    }

    private func report(_ schema: StoreSchema, database: String, applied: Bool, backup: String?) {
        if output == .json {
            Console.write(JSONValue.object([
                "database": .string(database), "schema_version": .int(Int64(schema.version)),
                "latest_version": .int(Int64(StoreSchema.latestVersion)),
                "written_by": schema.writtenBy.map(JSONValue.string) ?? .null,
                "pending": .array(schema.pending.map(JSONValue.string)), "applied": .bool(applied),
                "backup": backup.map(JSONValue.string) ?? .null,
            ]).rendered())
            return
        }
        let writer = schema.writtenBy.map { " (migrated by Herald \($0))" } ?? ""
        guard !schema.pending.isEmpty else {
            Console.write("\(database): schema v\(schema.version)\(writer) is up to date; nothing to migrate")
            return
        }
        let verb = applied ? "applied" : "pending (dry run: nothing applied)"
        Console.write("\(database): schema v\(schema.version)\(writer) → v\(StoreSchema.latestVersion); "
            + "\(schema.pending.count) migration(s) \(verb):")
        for identifier in schema.pending { Console.write("  " + identifier) }
    }
}

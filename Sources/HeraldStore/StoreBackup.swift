import Crypto
import Foundation
import GRDB
import HeraldCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Consistent copies of a live Herald database, and the checks a backup must pass.
///
/// The copy goes through SQLite's online backup API, not a file copy: with the server
/// running in WAL mode, recent commits may live only in `herald.sqlite-wal`, and a `cp`
/// of the main file can catch a page half-written. The backup API copies every page inside
/// one read transaction, so the copy is the database as of one commit, while the server
/// keeps writing (a WAL reader never blocks the writer).
public enum StoreBackup {
    /// Copies the database at `databasePath` to the new file `destination` (mode 0600, must
    /// not exist), then turns the copy into a self-contained rollback-journal file (no
    /// `-wal` beside it) and checks its integrity. The source is opened read-only.
    public static func snapshot(databasePath: String, to destination: String) throws {
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw HeraldError(.notFound, "no database at \(databasePath)")
        }
        // Create the file first so that it never exists with a wider mode than 0600.
        let descriptor = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw HeraldError(.storage, "cannot create \(destination): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(10)
            let source = try DatabaseQueue(path: databasePath, configuration: configuration)
            defer { try? source.close() }
            let copy = try DatabaseQueue(path: destination)
            defer { try? copy.close() }
            // One step (all pages): a multi-step copy restarts whenever the server commits.
            try source.backup(to: copy)
            let mode = try copy.writeWithoutTransaction { db in
                try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE") ?? ""
            }
            guard mode == "delete" else { throw HeraldError(.storage, "the copy stayed in journal mode \(mode)") }
        } catch let error as HeraldError {
            unlink(destination)
            throw error
        } catch {
            unlink(destination)
            throw HeraldError(.storage, "backing up \(databasePath): \(error)")
        }
        let problems = try integrityProblems(databasePath: destination)
        guard problems.isEmpty else {
            unlink(destination)
            throw HeraldError(.storage, "the copy of \(databasePath) fails its integrity check: "
                + problems.prefix(3).joined(separator: "; "))
        }
    }

    /// What `PRAGMA integrity_check` finds wrong with the database at `path`; empty when sound.
    public static func integrityProblems(databasePath path: String) throws -> [String] {
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            let rows = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            return rows == ["ok"] ? [] : rows
        } catch {
            return ["not a readable SQLite database: \(error)"]
        }
    }

    /// Size and lowercase hex SHA-256 of the file at `path`, read in chunks.
    public static func digest(ofFile path: String) throws -> (size: Int64, sha256: String) {
        guard let input = FileHandle(forReadingAtPath: path) else {
            throw HeraldError(.storage, "cannot read \(path)")
        }
        defer { try? input.close() }
        var hash = SHA256()
        var size: Int64 = 0
        while let data = try input.read(upToCount: 1 << 20), !data.isEmpty {
            hash.update(data: data)
            size += Int64(data.count)
        }
        return (size, hash.finalize().map { String(format: "%02x", $0) }.joined())
    }

    /// The manifest describing the snapshot at `path`, taken at `createdAt`.
    public static func manifest(forSnapshot path: String, createdAt: Date) throws -> BackupManifest {
        let schema = try StoreSchema.read(databasePath: path)
        let (realms, entries) = try contents(databasePath: path)
        let (size, sha256) = try digest(ofFile: path)
        return BackupManifest(
            createdAt: ISO8601DateFormatter().string(from: createdAt), schemaVersion: schema.version,
            migrations: schema.applied,
            database: .init(name: BackupManifest.databaseFileName, size: size, sha256: sha256), realms: realms,
            auditLog: .init(location: "database", entries: entries))
    }

    /// The realm names and the number of audit entries in the database at `path`.
    public static func contents(databasePath path: String) throws -> (realms: [String], auditEntries: Int) {
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in
                guard try db.tableExists("realms") else { return ([], 0) }
                let realms = try String.fetchAll(db, sql: "SELECT name FROM realms ORDER BY name")
                let entries = try db.tableExists("audit_log")
                    ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log") ?? 0 : 0
                return (realms, entries)
            }
        } catch {
            throw HeraldError(.storage, "reading \(path): \(error)")
        }
    }
}

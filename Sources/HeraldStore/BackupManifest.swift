import Foundation
import HeraldCore

/// `manifest.json` of a Herald backup archive: what the snapshot is, and the digest that
/// `herald backup verify` checks it against.
public struct BackupManifest: Codable, Sendable, Hashable {
    /// The one archive layout this binary writes and reads.
    public static let currentFormat = "herald-backup/1"
    /// The archive member holding the manifest; always the first member.
    public static let fileName = "manifest.json"
    /// The archive member holding the database snapshot.
    public static let databaseFileName = "herald.sqlite"

    /// One file of the archive.
    public struct Member: Codable, Sendable, Hashable {
        /// The member's name in the archive and in the restored data directory.
        public var name: String
        /// Its length in bytes.
        public var size: Int64
        /// Lowercase hex SHA-256 of its bytes.
        public var sha256: String

        /// A member entry.
        public init(name: String, size: Int64, sha256: String) {
            self.name = name
            self.size = size
            self.sha256 = sha256
        }
    }

    /// Where the audit log lives and how much of it the snapshot holds.
    public struct AuditSummary: Codable, Sendable, Hashable {
        /// `database`: the `audit_log` and `audit_checkpoints` tables of the snapshot. Herald
        /// keeps no audit file beside the database, so there is no separate member.
        public var location: String
        /// Entries in the snapshot, all realms together.
        public var entries: Int

        /// A summary.
        public init(location: String, entries: Int) {
            self.location = location
            self.entries = entries
        }
    }

    /// ``currentFormat`` for archives this binary writes.
    public var format: String
    /// The Herald release that took the backup.
    public var heraldVersion: String
    /// When the snapshot was taken, RFC 3339 in UTC.
    public var createdAt: String
    /// The snapshot's schema version (``StoreSchema/version``).
    public var schemaVersion: Int
    /// The snapshot's applied migration identifiers.
    public var migrations: [String]
    /// The database member.
    public var database: Member
    /// The realms in the snapshot.
    public var realms: [String]
    /// The audit log's place and size.
    public var auditLog: AuditSummary
    /// Always false: the master key never goes into a backup (see docs/operations.md).
    public var masterKeyIncluded: Bool

    /// A manifest for a snapshot.
    public init(format: String = BackupManifest.currentFormat, heraldVersion: String = HeraldVersion.current,
                createdAt: String, schemaVersion: Int, migrations: [String], database: Member, realms: [String],
                auditLog: AuditSummary, masterKeyIncluded: Bool = false) {
        self.format = format
        self.heraldVersion = heraldVersion
        self.createdAt = createdAt
        self.schemaVersion = schemaVersion
        self.migrations = migrations
        self.database = database
        self.realms = realms
        self.auditLog = auditLog
        self.masterKeyIncluded = masterKeyIncluded
    }

    enum CodingKeys: String, CodingKey {
        case format, database, realms, migrations
        case heraldVersion = "herald_version"
        case createdAt = "created_at"
        case schemaVersion = "schema_version"
        case auditLog = "audit_log"
        case masterKeyIncluded = "master_key_included"
    }

    /// Pretty JSON with sorted keys and a final newline.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// Reads a manifest, refusing other formats with what to do.
    public static func decode(_ data: Data) throws -> BackupManifest {
        let manifest: BackupManifest
        do { manifest = try JSONDecoder().decode(BackupManifest.self, from: data) } catch {
            throw HeraldError(.storage, "the backup's \(fileName) is not a Herald backup manifest: \(error)")
        }
        guard manifest.format == currentFormat else {
            throw HeraldError(.storage, "the backup's format is \(manifest.format); this Herald "
                + "(\(HeraldVersion.current)) reads \(currentFormat): use the Herald release that wrote it")
        }
        guard manifest.database.name == databaseFileName else {
            throw HeraldError(.storage, "the backup's manifest names database \(manifest.database.name), "
                + "not \(databaseFileName)")
        }
        return manifest
    }
}

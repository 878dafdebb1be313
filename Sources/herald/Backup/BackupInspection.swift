import Foundation
import HeraldCore
import HeraldJOSE
import HeraldServices
import HeraldStore

/// The checks of `herald backup verify`, also run by `backup restore` before anything moves.
///
/// In order: the archive holds exactly a manifest and a database; the database's size and
/// SHA-256 match the manifest; SQLite's integrity_check passes; this binary knows every
/// migration the snapshot has; the realms match the manifest; every realm's audit chain and
/// signed checkpoints verify (with `AuditVerifier`, against the public keys in the snapshot);
/// and, given the master key, every sealed private key opens. Checkpoint keys come from the
/// snapshot itself; the master-key check is what ties them to this deployment, since a key
/// row added by someone without the master key cannot be sealed under it.
struct BackupInspection {
    var manifest: BackupManifest?
    var schema: StoreSchema?
    var auditReports: [AuditReport] = []
    /// Sealed private keys opened with the master key; nil when no master key was given.
    var keysOpened: Int?
    /// Sealed private keys the master key did not open.
    var keysRefused = 0
    /// What is wrong; empty when the backup passed every check.
    var problems: [String] = []
    /// The extracted database, inside the scratch directory.
    var databasePath: String?

    var isValid: Bool { problems.isEmpty }

    /// Extracts `archive` into the empty directory `scratch` and checks it.
    static func run(archive: String, scratch: String, masterKey: MasterKey?) async -> BackupInspection {
        var inspection = BackupInspection()
        do { try await inspection.check(archive: archive, scratch: scratch, masterKey: masterKey) } catch {
            inspection.problems.append(Self.message(error))
        }
        return inspection
    }

    private mutating func check(archive: String, scratch: String, masterKey: MasterKey?) async throws {
        let names = try BackupArchive.extract(archive, into: scratch)
        guard names.contains(BackupManifest.fileName) else {
            throw HeraldError(.storage, "\(archive) has no \(BackupManifest.fileName): not a Herald backup")
        }
        guard names.contains(BackupManifest.databaseFileName) else {
            throw HeraldError(.storage, "\(archive) has no \(BackupManifest.databaseFileName)")
        }
        let manifestPath = (scratch as NSString).appendingPathComponent(BackupManifest.fileName)
        let manifest = try BackupManifest.decode(FileManager.default.contents(atPath: manifestPath) ?? Data())
        self.manifest = manifest
        let database = (scratch as NSString).appendingPathComponent(BackupManifest.databaseFileName)
        let (size, sha256) = try StoreBackup.digest(ofFile: database)
        guard size == manifest.database.size, sha256 == manifest.database.sha256 else {
            throw HeraldError(.storage, "herald.sqlite does not match the manifest (SHA-256 \(sha256), \(size) bytes; "
                + "the manifest says \(manifest.database.sha256), \(manifest.database.size) bytes): the backup was "
                + "changed or damaged; use another backup")
        }
        let integrity = try StoreBackup.integrityProblems(databasePath: database)
        guard integrity.isEmpty else {
            throw HeraldError(.storage, "integrity_check: " + integrity.prefix(3).joined(separator: "; "))
        }
        let schema = try StoreSchema.read(databasePath: database)
        self.schema = schema
        try schema.checkKnown()
        if schema.applied != manifest.migrations {
            problems.append("the snapshot's migrations \(schema.applied) are not the manifest's \(manifest.migrations)")
        }
        let store = try SQLiteStore(readingOnly: database)
        let realms = try await store.realmNames().sorted()
        if realms != manifest.realms.sorted() {
            problems.append("the snapshot's realms (\(realms.joined(separator: ", "))) are not the manifest's "
                + "(\(manifest.realms.joined(separator: ", ")))")
        }
        var opened = 0
        var refused: [String] = []
        for realm in realms {
            let tokenKeys = try await store.keys(realm: realm, purpose: .token)
            let federationKeys = try await store.keys(realm: realm, purpose: .federation)
            let trusted = try (tokenKeys + federationKeys).map { try PublicJWK(json: Data($0.publicJWK.utf8)) }
            // The snapshot is an SQLite file read offline, so it is opened as one (read-only).
            let report = try await AuditVerifier.verify(store, realm: realm) { jws in
                try AuditVerifyCommand.checkpointPayload(jws, trusting: trusted)
            }
            auditReports.append(report)
            if !report.isValid { problems.append(report.description) }
            guard let sealer = masterKey?.keySealer else { continue }
            // Federation keys are sealed under the ring name FederationKeys.ringName gives them.
            let sealed = tokenKeys.map { ($0, realm) } + federationKeys.map { ($0, "\(realm)#federation") }
            for (key, context) in sealed where !key.sealedPrivateKey.isEmpty {
                do {
                    _ = try sealer.open(key.sealedPrivateKey, realm: context, kid: key.kid)
                    opened += 1
                } catch {
                    refused.append("key \(key.kid) of realm \(realm)")
                }
            }
        }
        if let first = refused.first {
            problems.append("the master key does not open \(refused.count) of \(refused.count + opened) sealed private "
                + "keys (first: \(first)): it is not the master key this backup's keys were sealed with")
        }
        if masterKey != nil { keysOpened = opened }
        keysRefused = refused.count
        databasePath = database
    }

    /// One line per check, for the table output.
    var lines: [String] {
        var lines: [String] = []
        if let manifest {
            lines.append("manifest: \(manifest.format), taken by Herald \(manifest.heraldVersion) at \(manifest.createdAt)")
            lines.append("database: \(manifest.database.size) bytes, sha256 \(manifest.database.sha256)")
        }
        if let schema {
            let pending = schema.pending.isEmpty ? "nothing pending"
                : "herald serve applies \(schema.pending.count) pending migration(s) at start"
            lines.append("schema: v\(schema.version); this binary knows up to v\(StoreSchema.latestVersion); \(pending)")
        }
        lines += auditReports.filter(\.isValid).map(\.description)
        switch keysOpened {
        case .some(let count) where keysRefused == 0: lines.append("master key: opens all \(count) sealed private keys")
        case .some: break
        case .none where databasePath != nil:
            lines.append("master key: not given, sealed keys not checked (pass --master-key FILE or set HERALD_MASTER_KEY_FILE)")
        case .none: break
        }
        return lines
    }

    /// The JSON output.
    var json: JSONValue {
        .object([
            "valid": .bool(isValid), "problems": .array(problems.map(JSONValue.string)),
            "herald_version": manifest.map { .string($0.heraldVersion) } ?? .null,
            "created_at": manifest.map { .string($0.createdAt) } ?? .null,
            "schema_version": schema.map { .int(Int64($0.version)) } ?? .null,
            "realms": .array((manifest?.realms ?? []).map(JSONValue.string)),
            "audit": .array(auditReports.map { report in
                .object(["realm": .string(report.realm), "valid": .bool(report.isValid),
                         "entries_checked": .int(Int64(report.entriesChecked)),
                         "checkpoints_checked": .int(Int64(report.checkpointsChecked))])
            }),
            "keys_opened": keysOpened.map { .int(Int64($0)) } ?? .null,
        ])
    }

    /// The master key of `--master-key`, else of HERALD_MASTER_KEY_FILE; nil when neither is set.
    static func masterKey(file: String?) throws -> MasterKey? {
        guard let path = file ?? Console.environment["HERALD_MASTER_KEY_FILE"] else { return nil }
        do { return try MasterKey.load(path: path) } catch {
            throw CLIError.usage("\(error)")
        }
    }

    private static func message(_ error: any Error) -> String {
        if let error = error as? HeraldError { return error.message }
        if let error = error as? CLIError { return error.message }
        return "\(error)"
    }
}

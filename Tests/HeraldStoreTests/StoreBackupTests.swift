import Foundation
import GRDB
import HeraldCore
@testable import HeraldStore
import HeraldTesting
import Testing

/// Online backups of a database the server keeps writing, and the backup archive format.
@Suite("store backup")
struct StoreBackupTests {
    @Test("snapshots taken while 20 tasks append audit entries are sound, self-contained, consistent prefixes")
    func snapshotUnderWrites() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("herald.sqlite")
        let store = try SQLiteStore(path: path)
        try await store.save(RealmConfig(name: "acme"))
        let log = SQLiteAuditLog(store: store)
        for index in 0..<100 { try await log.record(AuditFixtures.event(index)) }

        let tasks = 20, perTask = 60
        let snapshots = try await withThrowingTaskGroup(of: [String].self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for index in 0..<perTask { try await log.record(AuditFixtures.event(100 + task * perTask + index)) }
                    return []
                }
            }
            group.addTask {
                var taken: [String] = []
                for number in 0..<4 {
                    try await Task.sleep(for: .milliseconds(number == 0 ? 5 : 30))
                    let copy = directory.file("snapshot-\(number).sqlite")
                    try StoreBackup.snapshot(databasePath: path, to: copy)
                    taken.append(copy)
                }
                return taken
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        await log.shutdown()
        let total = 100 + tasks * perTask
        var counts: [Int] = []
        for copy in snapshots {
            #expect(try StoreBackup.integrityProblems(databasePath: copy).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: copy + "-wal"), "the copy must be one file")
            let mode = try FileManager.default.attributesOfItem(atPath: copy)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600)
            let report = try await AuditVerifier.verify(databasePath: copy, realm: "acme") { _ in [] }
            #expect(report.isValid, "\(report)")
            #expect((100...total).contains(report.entriesChecked))
            let manifest = try StoreBackup.manifest(forSnapshot: copy, createdAt: Date())
            #expect(manifest.realms == ["acme"] && manifest.auditLog.entries == report.entriesChecked)
            #expect(manifest.schemaVersion == StoreSchema.latestVersion && manifest.migrations == StoreSchema.knownMigrations)
            counts.append(report.entriesChecked)
        }
        #expect(counts == counts.sorted(), "later snapshots hold at least what earlier ones did")
        #expect(counts.contains { $0 < total }, "no snapshot was taken while the entries were being written: \(counts)")
        let final = directory.file("final.sqlite")
        try StoreBackup.snapshot(databasePath: path, to: final)
        #expect(try await AuditVerifier.verify(databasePath: final, realm: "acme") { _ in [] }.entriesChecked == total)
        #expect(throws: HeraldError.self) { try StoreBackup.snapshot(databasePath: path, to: final) }
    }

    @Test("the manifest example in docs/operations.md is what this binary writes and reads")
    func documentedManifest() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/operations.md").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let marker = try #require(text.range(of: "<!-- backup-manifest-example"), "no manifest example in \(path)")
        let start = try #require(text.range(of: "```json\n", range: marker.upperBound..<text.endIndex))
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        let example = Data(text[start.upperBound..<end.lowerBound].utf8)
        let manifest = try BackupManifest.decode(example)
        #expect(manifest.format == BackupManifest.currentFormat && !manifest.masterKeyIncluded)
        #expect(manifest.migrations == Array(StoreSchema.knownMigrations.prefix(manifest.migrations.count)))
        func keys(_ data: Data) throws -> [String] {
            try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]).keys.sorted()
        }
        #expect(try keys(example) == keys(try manifest.encoded()), "the example names every field, no more")
    }

    @Test("archive: round trip, no silent overwrite, damaged headers, truncation and foreign members refused")
    func archive() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = directory.file("source.sqlite")
        _ = try SQLiteStore(path: database)
        let snapshot = directory.file("herald.sqlite")
        try StoreBackup.snapshot(databasePath: database, to: snapshot)
        let manifest = try StoreBackup.manifest(forSnapshot: snapshot, createdAt: Date(timeIntervalSince1970: 0))
        #expect(manifest.createdAt == "1970-01-01T00:00:00Z" && manifest.format == "herald-backup/1")
        let manifestFile = try directory.write("manifest.json", String(decoding: try manifest.encoded(), as: UTF8.self))
        let archive = directory.file("backup.tar")
        let members = [(BackupManifest.fileName, manifestFile), (BackupManifest.databaseFileName, snapshot)]
        try BackupArchive.write(members, to: archive, replace: false)

        let conflict = try #require(throws: HeraldError.self) {
            try BackupArchive.write(members, to: archive, replace: false)
        }
        #expect(conflict.message.contains("exists; pass --force"))
        try BackupArchive.write(members, to: archive, replace: true)

        let out = try TemporaryDirectory()
        defer { out.remove() }
        #expect(try BackupArchive.extract(archive, into: out.path) == ["manifest.json", "herald.sqlite"])
        let decoded = try BackupManifest.decode(try #require(FileManager.default.contents(atPath: out.file("manifest.json"))))
        #expect(decoded == manifest)
        let digest = try StoreBackup.digest(ofFile: out.file("herald.sqlite"))
        #expect(digest.size == manifest.database.size && digest.sha256 == manifest.database.sha256)

        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: archive)))
        func refusal(_ changed: [UInt8]) throws -> String {
            let file = directory.file("changed-\(UUID().uuidString).tar")
            try Data(changed).write(to: URL(fileURLWithPath: file))
            let target = try TemporaryDirectory()
            defer { target.remove() }
            return try #require(throws: HeraldError.self) { try BackupArchive.extract(file, into: target.path) }.message
        }
        var damaged = bytes
        damaged[0] ^= 0x01
        #expect(try refusal(damaged).contains("damaged (a tar header does not check)"))
        #expect(try refusal(Array(bytes.prefix(1024 + 700))).contains("truncated"))
        #expect(try refusal(Array("not a tar file".utf8)).contains("not a Herald backup"))
        let foreign = [UInt8](BackupArchive.header(name: "../master.key", size: 0, modified: 0)) + [UInt8](repeating: 0, count: 1024)
        #expect(try refusal(foreign).contains("unexpected member ../master.key"))
        let empty = [UInt8](BackupArchive.header(name: BackupManifest.fileName, size: 0, modified: 0))
        let twice = empty + empty + [UInt8](repeating: 0, count: 1024)
        #expect(try refusal(twice).contains("unexpected member manifest.json"))

        // A changed database byte passes the tar layer: the manifest digest is what catches it.
        bytes[bytes.count - 1024 - 512 - 100] ^= 0xff
        let tampered = directory.file("tampered.tar")
        try Data(bytes).write(to: URL(fileURLWithPath: tampered))
        let target = try TemporaryDirectory()
        defer { target.remove() }
        _ = try BackupArchive.extract(tampered, into: target.path)
        #expect(try StoreBackup.digest(ofFile: target.file("herald.sqlite")).sha256 != manifest.database.sha256)
    }
}

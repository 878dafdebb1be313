import Foundation
import HeraldCore
import HeraldStore
import HeraldTesting
import Testing
@testable import herald

@Suite("herald backup and migrate (offline)")
struct BackupCommandTests {
    @Test("usage errors are one line with exit status 1", arguments: [
        ("migrate --dry-run --no-backup", "--dry-run changes nothing"),
        ("migrate --no-backup --backup-out x.tar", "--no-backup and --backup-out exclude each other"),
        ("migrate --data-dir /nonexistent --dry-run", "no database at /nonexistent/herald.sqlite"),
        ("backup create --data-dir /nonexistent --out x.tar", "no database at /nonexistent/herald.sqlite"),
        ("backup create --data-dir /nonexistent", "Missing expected argument '--out <out>'"),
        ("backup verify /nonexistent.tar", "no backup file at /nonexistent.tar"),
        ("backup restore x.tar", "Missing expected argument '--data-dir <data-dir>'"),
        ("backup verify x.tar --output yaml", "output"),
    ])
    func refused(arguments: String, message: String) async throws {
        let cli = try CLIHarness()
        defer { cli.directory.remove() }
        let result = await cli.run(arguments)
        #expect(result.status == 1, "\(arguments): \(result)")
        #expect(result.errors.hasPrefix("herald: ") && !result.errors.contains("\n"), "\(result.errors)")
        #expect(result.errors.contains(message), "\(arguments): \(result.errors)")
    }

    @Test("create from a running server, verify with its master key, restore: the same keys; a second restore is refused")
    func roundTrip() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let cli = try CLIHarness(environment: ["HERALD_MASTER_KEY_FILE": server.configuration.resolvedMasterKeyFile])
        defer { cli.directory.remove() }
        let backup = cli.directory.file("herald.tar")

        let create = await cli.run(["backup", "create", "--data", server.configuration.dataDirectory, "--out", backup])
        #expect(create.status == 0, "\(create)")
        #expect(create.output.hasPrefix("backup written to \(backup): schema v\(StoreSchema.latestVersion), realms "))
        #expect(create.errors == BackupCommand.masterKeyWarning)

        let verify = await cli.run(["backup", "verify", backup])
        #expect(verify.status == 0, "\(verify)")
        #expect(verify.output.contains("master key: opens all ") && verify.output.hasSuffix("backup OK"))

        let target = cli.directory.file("restored/data")
        let restore = await cli.run(["backup", "restore", backup, "--data-dir", target])
        #expect(restore.status == 0, "\(restore)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: target) == ["herald.sqlite"])
        let original = try SQLiteStore(readingOnly: server.configuration.databasePath)
        let restored = try SQLiteStore(readingOnly: (target as NSString).appendingPathComponent("herald.sqlite"))
        #expect(try await restored.realmNames() == original.realmNames())
        #expect(try await restored.keys(realm: "test", purpose: .token) == original.keys(realm: "test", purpose: .token))

        let again = await cli.run(["backup", "restore", backup, "--data-dir", target])
        #expect(again.status == 1 && again.errors.contains("is not empty (herald.sqlite)"), "\(again)")
        let dry = await cli.run(["migrate", "--data-dir", target, "--dry-run"])
        #expect(dry.status == 0 && dry.output.hasSuffix("is up to date; nothing to migrate"), "\(dry)")
    }
}

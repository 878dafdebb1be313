import Foundation
import GRDB
import HeraldCore
import HeraldJOSE
import HeraldServer
import HeraldStore
import HeraldTesting
import Testing
@testable import herald

@Suite("herald audit verify (offline)")
struct AuditVerifyTests {
    /// A data directory whose realm `acme` has entries 1–10, checkpoint 11, entries 12–15, and
    /// the JWKS file of the checkpoint key.
    private func withAuditedData(_ body: (CLIHarness, String, String) async throws -> Void) async throws {
        let cli = try CLIHarness()
        defer { cli.directory.remove() }
        let data = cli.directory.file("data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let store = try SQLiteStore(path: ServerConfiguration(dataDirectory: data).databasePath)
        let log = SQLiteAuditLog(store: store)
        let signer = AuditFixtures.CheckpointSigner()
        for index in 0..<10 { _ = try await log.record(AuditFixtures.event(index)) }
        _ = try await log.checkpoint(realm: "acme", at: AuditFixtures.start.addingTimeInterval(60), sign: signer.sign)
        for index in 10..<14 { _ = try await log.record(AuditFixtures.event(index)) }
        await log.shutdown()
        let jwks = try cli.directory.write("jwks.json",
                                           #"{"keys":[\#(signer.signer.key.publicKey.json(includeMetadata: true))]}"#)
        try await body(cli, data, jwks)
    }

    @Test("an intact chain verifies (exit 0); a changed row fails with exit 4 and names the entry")
    func verify() async throws {
        try await withAuditedData { cli, data, jwks in
            let good = await cli.run(["audit", "verify", "--data", data, "--realm", "acme", "--jwks", jwks])
            #expect(good.status == 0, "\(good)")
            #expect(good.output == "audit chain of realm acme: 15 entries, 1 checkpoint verified")

            let json = await cli.run(["audit", "verify", "--data", data, "--realm", "acme", "--jwks", jwks, "--output", "json"])
            #expect(try JSONValue(parsing: Data(json.output.utf8)) == [
                "realm": "acme", "valid": .bool(true), "entries_checked": .int(15), "checkpoints_checked": .int(1),
                "first_bad_seq": .null, "problem": .null,
            ])

            let queue = try DatabaseQueue(path: ServerConfiguration(dataDirectory: data).databasePath)
            try await queue.write { db in
                try db.execute(sql: "UPDATE audit_log SET reason = 'fine' WHERE realm = 'acme' AND seq = 4")
            }
            let bad = await cli.run(["audit", "verify", "--data", data, "--realm", "acme", "--jwks", jwks])
            #expect(bad.status == 4, "\(bad)")
            #expect(bad.output.hasPrefix("audit chain of realm acme BROKEN at entry 4: hash does not match its contents"))
            #expect(bad.errors.isEmpty)
        }
    }

    @Test("checkpoints signed by a key not in the JWKS do not verify")
    func wrongKeys() async throws {
        try await withAuditedData { cli, data, _ in
            let other = SigningKey.generate(.es256).publicKey.json(includeMetadata: true)
            let jwks = try cli.directory.write("other.json", #"{"keys":[\#(other)]}"#)
            let result = await cli.run(["audit", "verify", "--data", data, "--realm", "acme", "--jwks", jwks])
            #expect(result.status == 4, "\(result)")
            #expect(result.output.contains("BROKEN at entry 11: its checkpoint signature does not verify"))
        }
    }

    @Test("a missing database or JWKS is a usage error (exit 1)")
    func missingInputs() async throws {
        try await withAuditedData { cli, data, jwks in
            let noData = await cli.run(["audit", "verify", "--data", cli.directory.file("nothing"), "--jwks", jwks])
            #expect(noData.status == 1)
            #expect(noData.errors.contains("no database at"))
            let noJWKS = await cli.run(["audit", "verify", "--data", data, "--jwks", cli.directory.file("none.json")])
            #expect(noJWKS.status == 1)
            #expect(noJWKS.errors == "herald: cannot read the JWKS file \(cli.directory.file("none.json"))")
        }
    }
}

import Foundation
import HeraldCore
import HeraldFederation
import HeraldJOSE
import HeraldTesting
import Testing
@testable import herald

@Suite("herald federation bundle show|verify (offline) and bench")
struct FederationCommandTests {
    static let issuer = "https://globex.example/realms/globex"

    let federationKey = SigningKey.generate(.es256)

    func bundle(sequence: Int64 = 12, expiresIn: TimeInterval = 3600, key: SigningKey? = nil) throws -> String {
        let now = Date()
        let agents = [
            BundleAgent(sub: "billing-bot", trustLevel: .l2, trustScore: 70, pipelineStage: "ACTIVE", status: .active,
                        updatedAt: now),
            BundleAgent(sub: "ledger-bot", trustLevel: .l3, trustScore: 88, pipelineStage: "ACTIVE", status: .active,
                        updatedAt: now),
            BundleAgent(sub: "rogue-bot", trustLevel: .l1, trustScore: 12, pipelineStage: "SUSPENDED", status: .suspended,
                        updatedAt: now),
        ]
        let signer = key ?? federationKey
        return try TrustBundle(iss: Self.issuer, iat: now.addingTimeInterval(-60), exp: now.addingTimeInterval(expiresIn), sequence: sequence,
                               refreshHint: 300, issuerKeys: [SigningKey.generate(.es256).publicKey],
                               federationKeys: [signer.publicKey], agents: agents).signed(by: JWTSigner(key: signer))
    }

    @Test("show summarises a bundle: iss, sequence, keys, counts by status and level")
    func show() async throws {
        let cli = try CLIHarness()
        defer { cli.directory.remove() }
        let file = try cli.directory.write("bundle.jwt", try bundle() + "\n")
        let table = await cli.run(["federation", "bundle", "show", file])
        #expect(table.status == 0, "\(table)")
        #expect(table.output.collapsed.contains("iss https://globex.example/realms/globex"), "\(table.output)")
        #expect(table.output.collapsed.contains("agents_by_status active 2, suspended 1, revoked 0"))
        #expect(table.output.collapsed.contains("agents_by_level L0 0, L1 1, L2 1, L3 1, L4 0"))
        #expect(table.output.collapsed.contains("verified false"))

        let json = await cli.run(["federation", "bundle", "show", file, "--output", "json"])
        let value = try JSONValue(parsing: Data(json.output.utf8))
        #expect(value["sequence"]?.int == 12 && value["kind"] == "full" && value["agents"]?.int == 3)
        #expect(value["federation_keys"] == .array([.string(federationKey.kid)]))
        #expect(value["agents_by_status"]?["suspended"]?.int == 1)

        let junk = await cli.run(["federation", "bundle", "show", try cli.directory.write("junk", "hello")])
        #expect(junk.status == 2 && junk.errors.hasPrefix("herald: not a trust bundle (malformed): "), "\(junk)")
    }

    @Test("verify: 0 when valid, 2 with the reason on one line when refused, 1 for wrong usage")
    func verify() async throws {
        let cli = try CLIHarness()
        defer { cli.directory.remove() }
        let file = try cli.directory.write("bundle.jwt", try bundle())
        let valid = await cli.run(["federation", "bundle", "verify", file, "--pin", federationKey.kid, "--issuer", Self.issuer])
        #expect(valid.status == 0, "\(valid)")
        #expect(valid.output.collapsed.contains("valid true") && valid.output.collapsed.contains("signed_by \(federationKey.kid)"))

        let json = await cli.run(["federation", "bundle", "verify", file, "--pin", "other", "--pin", federationKey.kid,
                                  "--issuer", Self.issuer, "--after-sequence", "11", "--output", "json"])
        #expect(json.status == 0, "\(json)")
        #expect(try JSONValue(parsing: Data(json.output.utf8))["valid"] == .bool(true))

        func refused(_ arguments: [String]) async -> String {
            let result = await cli.run(["federation", "bundle", "verify"] + arguments)
            #expect(result.status == 2, "\(result)")
            #expect(!result.errors.contains("\n"))
            return result.errors
        }
        #expect(await refused([file, "--pin", federationKey.kid, "--issuer", Self.issuer, "--after-sequence", "12"])
            == "herald: bundle refused (replayed): bundle sequence 12 is not newer than the last accepted 12")
        #expect(await refused([file, "--pin", SigningKey.generate(.es256).kid, "--issuer", Self.issuer])
            .hasPrefix("herald: bundle refused (unpinned_key): the bundle is signed by key \(federationKey.kid)"))
        #expect(await refused([file, "--pin", federationKey.kid, "--issuer", "https://acme.example/realms/acme"])
            .hasPrefix("herald: bundle refused (issuer_mismatch): "))
        let expired = try cli.directory.write("expired.jwt", try bundle(expiresIn: -5))
        #expect(await refused([expired, "--pin", federationKey.kid, "--issuer", Self.issuer])
            .hasPrefix("herald: bundle refused (expired): bundle sequence 12 expired at "))
        #expect(await refused([file, "--pin", federationKey.kid, "--issuer", Self.issuer, "--max-bytes", "64"])
            .hasPrefix("herald: bundle refused (oversized): "))

        #expect(await cli.run(["federation", "bundle", "verify", file, "--issuer", Self.issuer]).status == 1)
        #expect(await cli.run(["federation", "bundle", "verify", file, "--pin", "x"]).status == 1)
        #expect(await cli.run(["federation", "bundle", "verify", cli.directory.file("missing"), "--pin", "x",
                               "--issuer", Self.issuer]).status == 1)
    }

    @Test("the hidden bench verb reports times and sizes")
    func bench() async throws {
        let cli = try CLIHarness()
        defer { cli.directory.remove() }
        let result = await cli.run(["federation", "bench", "--agents", "500", "--rounds", "1", "--output", "json"])
        #expect(result.status == 0, "\(result)")
        let value = try JSONValue(parsing: Data(result.output.utf8))
        #expect(value["agents"]?.int == 500 && value["delta_changed_agents"]?.int == 5)
        #expect((value["full_bytes"]?.int ?? 0) > (value["delta_bytes"]?.int ?? .max))
    }
}

extension String {
    /// The text with each run of spaces made one, to match table rows whatever the widths.
    var collapsed: String { replacing(/\ +/, with: " ") }
}

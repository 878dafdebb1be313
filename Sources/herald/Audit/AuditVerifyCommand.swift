import ArgumentParser
import AsyncHTTPClient
import Foundation
import HeraldCore
import HeraldJOSE
import HeraldServer
import HeraldStore

/// `herald audit verify`: checks a realm's audit chain offline, from the store (read-only,
/// through the store seam) and the realm's JWKS, and names the first bad entry.
struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Offline: check the audit chain and its signed checkpoints.",
        discussion: """
            Reads the store read-only (the server may keep running): --store URL (env HERALD_STORE), \
            else the database in --data. Verifies every \
            checkpoint's signature with the realm's JWKS: a file, or the server's URL \
            {public_url}/realms/{realm}/protocol/openid-connect/certs. Keys retired and dropped \
            from the JWKS since a checkpoint was signed are needed too: pass older JWKS files with \
            more --jwks options. Exit status 0: intact; 4: the chain is broken.
            """)

    @Option(help: "Data directory (env HERALD_DATA; default ./data).") var data: String?
    @Option(help: "Store URL, e.g. sqlite:/var/lib/herald/herald.sqlite (env HERALD_STORE; default the database in --data).")
    var store: String?
    @Option(help: "Realm (env HERALD_REALM; default acme).") var realm: String?
    @Option(help: "JWKS file or http(s) URL; repeat for archived key sets.") var jwks: [String] = []
    @Option(help: "table|json") var output: OutputFormat = .table

    var realmName: String { realm ?? Console.environment["HERALD_REALM"] ?? "acme" }

    func validate() throws {
        try AdminOptions.checkRealmName(realmName)
        do { _ = try StoreChoice.location(store: store, data: data) } catch let error as HeraldError {
            throw ValidationError("--store: \(error.message)")
        }
        guard !jwks.isEmpty else {
            throw ValidationError("--jwks is required: a JWKS file, or the realm's certs URL on the server")
        }
    }

    func run() async throws {
        var keys: [PublicJWK] = []
        for source in jwks { keys += try await Self.loadKeys(source) }
        let trusted = keys
        let report: AuditReport
        do {
            let location = try StoreChoice.location(store: store, data: data)
            let opened = try await StoreChoice.open(location, access: .readOnly) { path in
                CLIError.usage("no database at \(path); pass --data DIR of a Herald server")
            }
            report = try await AuditVerifier.verify(opened, realm: realmName) { jws in
                try Self.checkpointPayload(jws, trusting: trusted)
            }
        } catch let error as CLIError { throw error } catch {
            throw CLIError.usage("\(error)")
        }
        if output == .json {
            Console.write(JSONValue.object([
                "realm": .string(report.realm), "valid": .bool(report.isValid),
                "entries_checked": .int(Int64(report.entriesChecked)),
                "checkpoints_checked": .int(Int64(report.checkpointsChecked)),
                "first_bad_seq": report.firstBadSequence.map(JSONValue.int) ?? .null,
                "problem": report.problem.map(JSONValue.string) ?? .null,
            ]).rendered())
        } else {
            Console.write(report.description)
        }
        if !report.isValid { throw CLIError(kind: .broken, message: "") }
    }

    /// The payload of a checkpoint JWS signed by one of `trusted` with `typ`
    /// ``AuditCheckpoint/jwsType``; throws otherwise (also used by `herald backup verify`).
    static func checkpointPayload(_ jws: String, trusting trusted: [PublicJWK]) throws -> [UInt8] {
        let unverified = try UnverifiedJWS(compact: jws)
        guard unverified.header.typ == AuditCheckpoint.jwsType else {
            throw CLIError.usage("typ is \(unverified.header.typ ?? "missing"), not \(AuditCheckpoint.jwsType)")
        }
        // Checkpoints signed before Herald normalized s may be high-S: they are
        // history, and the hash chain, not the spelling, is what they vouch for.
        return try unverified.verify(with: trusted, acceptingHighS: true).payload
    }

    /// The keys of a JWKS file or URL.
    static func loadKeys(_ source: String) async throws -> [PublicJWK] {
        let data: Data
        if source.hasPrefix("http://") || source.hasPrefix("https://") {
            var request = HTTPClientRequest(url: source)
            request.headers.add(name: "Accept", value: "application/json")
            do {
                let response = try await AdminClient.http.execute(request, timeout: .seconds(30))
                guard response.status.code == 200 else {
                    throw CLIError.refused("\(source) answered \(response.status.code); pass the realm's JWKS URL or a file")
                }
                data = Data(try await response.body.collect(upTo: 4 << 20).readableBytesView)
            } catch let error as CLIError { throw error } catch {
                throw CLIError.unreachable("cannot fetch \(source): \(error)")
            }
        } else {
            guard let contents = FileManager.default.contents(atPath: source) else {
                throw CLIError.usage("cannot read the JWKS file \(source)")
            }
            data = contents
        }
        do { return try PublicJWK.parseSet(json: data) } catch {
            throw CLIError.usage("\(source) is not a JWKS: \(error)")
        }
    }
}

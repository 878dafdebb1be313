import ArgumentParser
import Foundation
import HeraldJOSE
import HeraldVerifier

/// `herald passport verify FILE|- --jwks FILE|URL [--issuer URL]`: checks a JWT or MCPS
/// passport offline against the issuer's keys and says why it fails.
struct PassportVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Offline: verify a JWT or MCPS passport and say why it fails.",
        discussion: """
            FILE (or - for standard input) holds a compact JWT passport, the issuance response \
            {"passport":"<JWT>"}, or an MCPS passport (a JSON object). --jwks is the issuer's key \
            set: a JWKS file, the realm's http(s) JWKS URL \
            ({issuer}/.well-known/agent-trust-keys), a PEM public key, or the \
            {issuer}/api/ta/public-key document. Exit status 0: valid; 2: refused (the reason \
            on one line); 1: wrong usage or unreadable input; 3: the JWKS URL cannot be fetched.
            """)

    @Argument(help: "Passport file, or - for standard input.") var file: String
    @Option(help: "JWKS file or URL, PEM file, or api/ta/public-key document; repeat to add keys.") var jwks: [String] = []
    @Option(help: "Required issuer (iss / issuer), e.g. https://herald.example/realms/acme.") var issuer: String?
    @Option(help: "Clock skew allowed on iat and exp, in seconds.") var leeway: Int = 0
    @Option(help: "table|json") var output: OutputFormat = .table

    func validate() throws {
        guard !jwks.isEmpty else { throw ValidationError("--jwks is required: the issuer's JWKS file or URL") }
        guard leeway >= 0 else { throw ValidationError("--leeway is a number of seconds, not negative") }
    }

    func run() async throws {
        let passport = try readPassport()
        var keys: [PublicJWK] = []
        for source in jwks { keys += try await PassportKeySource.load(source) }
        let verifier = PassportVerifier(keys: keys, issuer: issuer, leeway: TimeInterval(leeway))
        let verified: VerifiedPassport
        do { verified = try verifier.verify(passport) } catch {
            throw CLIError.refused("passport refused: \(error.reason)")
        }
        Console.write(Self.render(verified, as: output))
    }

    private func readPassport() throws -> [UInt8] {
        if file == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIError.usage("cannot read the passport file \(file)")
        }
        return Array(data)
    }

    static func render(_ passport: VerifiedPassport, as format: OutputFormat) -> String {
        let fields: [(String, JSONValue)] = [
            ("valid", .bool(true)),
            ("format", .string(passport.format.rawValue)),
            ("passport_id", .string(passport.passportID)),
            ("issuer", .string(passport.issuer)),
            ("subject", passport.subject.map(JSONValue.string) ?? .null),
            ("agent", .string("\(passport.agent.name) \(passport.agent.version)")),
            ("trust_level", .int(Int64(passport.trustLevel.rawValue))),
            ("trust_score", passport.trustScore.map { .int(Int64($0)) } ?? .null),
            ("pipeline_stage", passport.pipelineStage.map(JSONValue.string) ?? .null),
            ("issued_at", .string(MCPSTimestamp.format(passport.issuedAt))),
            ("expires_at", .string(MCPSTimestamp.format(passport.expiresAt))),
            ("signed_by", .string(passport.signingKey.kid)),
            ("status_list", passport.status.map { .string("\($0.uri)#\($0.index)") } ?? .null),
        ]
        if format == .json {
            return JSONValue.object(Dictionary(fields, uniquingKeysWith: { $1 })).rendered()
        }
        return renderTable(["FIELD", "VALUE"], fields.filter { $0.1 != .null }.map { [$0.0, $0.1.cell] })
    }
}

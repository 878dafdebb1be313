import ArgumentParser
import Foundation
import HeraldJOSE

/// `herald passport issue ID [--format jwt|mcps] [--public-key FILE] [--out FILE]`: has the
/// realm issue a passport for an agent (wire-formats §4), as an admin.
struct PassportIssueCommand: AsyncParsableCommand {
    enum Format: String, CaseIterable, ExpressibleByArgument, Sendable { case jwt, mcps }

    static let configuration = CommandConfiguration(
        commandName: "issue", abstract: "Issue a passport for an agent (JWT or MCPS).",
        discussion: """
            The passport binds the agent's P-256 public key: --public-key (a JWK or a PEM public \
            key file), else the key registered for the agent's private_key_jwt client. It carries \
            the agent's effective level, score and stage now; a stopped agent gets none (exit 2). \
            Prints the compact JWT (--output json: the server's {"passport","passport_id"}) or the \
            MCPS passport JSON exactly as signed. --out writes it to a file (mode 0644) instead. \
            `herald passport verify` checks it offline.
            """)

    @OptionGroup var options: AdminOptions
    @Argument(help: "Agent id.") var id: String
    @Option(help: "jwt or mcps.") var format: Format = .jwt
    @Option(help: "The agent's P-256 public key: a JWK (.jwk, .json) or PEM file.") var publicKey: String?
    @Option(help: "Write the passport to this file (mode 0644) instead of standard output.") var out: String?

    func validate() throws {
        try AgentTable.checkAgentID(id)
        if let out, out.isEmpty || out.hasSuffix("/") { throw ValidationError("--out must name a file") }
    }

    func run() async throws {
        var body: [String: JSONValue] = [:]
        if let publicKey { body["public_key"] = try Self.loadKey(publicKey) }
        let session = try options.connect()
        let path = AdminClient.path("realms", options.realmName, "agents", id, "passport")
            + AdminClient.query([("format", format.rawValue)])
        let result = try await session.send(.POST, path, body: JSONValue.object(body).data, hints: [
            400: "pass the agent's P-256 public key with --public-key FILE",
            403: "`herald agent explain \(id) --realm \(options.realmName)` shows why the agent is stopped",
            404: "no such agent in realm \(options.realmName); `herald agent list` shows them",
        ])
        let (bytes, passportID) = try Self.passport(result, format: format, json: options.output == .json)
        if let out {
            do { try PrivateFile.write(bytes, to: out, mode: 0o644) } catch {
                throw CLIError.usage("cannot write \(out): \(error)")
            }
            if options.output == .table {
                Console.write("wrote \(format.rawValue) passport \(passportID) for agent \(id) to \(out)")
            }
        } else {
            Console.write(String(decoding: bytes.last == 0x0A ? bytes.dropLast() : bytes[...], as: UTF8.self))
        }
    }

    /// The bytes to print or write (the JWT, the server's JSON for `--output json`, or the
    /// MCPS passport verbatim — re-encoding it could change what the signature covers) and
    /// the passport id.
    static func passport(_ result: HTTPResult, format: Format, json: Bool) throws -> (Data, String) {
        let answer = try result.json()
        switch format {
        case .jwt:
            guard let token = answer["passport"]?.string else {
                throw CLIError.refused("the server's answer has no passport; is --server a Herald server?")
            }
            let id = answer["passport_id"]?.string ?? "?"
            return (json ? Data((answer.rendered() + "\n").utf8) : Data((token + "\n").utf8), id)
        case .mcps:
            guard let id = answer["passport_id"]?.string, answer["signature"] != nil else {
                throw CLIError.refused("the server's answer is not an MCPS passport; is --server a Herald server?")
            }
            var bytes = result.body
            if bytes.last != 0x0A { bytes.append(0x0A) }
            return (bytes, id)
        }
    }

    /// The public JWK in `file` (a JWK, a one-key JWKS, or a PEM public key) as the body's
    /// `public_key`.
    static func loadKey(_ file: String) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIError.usage("cannot read the public key file \(file)")
        }
        let text = String(decoding: data, as: UTF8.self)
        if text.contains("PRIVATE KEY-----") {
            throw CLIError.usage("\(file) holds a private key; pass the agent's public key (openssl ec -pubout)")
        }
        let key: PublicJWK
        do {
            if text.contains("-----BEGIN PUBLIC KEY-----") {
                key = try PublicJWK(pem: text)
            } else if let parsed = try? JSONValue(parsing: data), parsed["keys"] != nil {
                let keys = try PublicJWK.parseSet(json: data)
                guard keys.count == 1, let only = keys.first else {
                    throw CLIError.usage("\(file) holds \(keys.count) keys; pass a file with the agent's one key")
                }
                key = only
            } else {
                key = try PublicJWK(json: data)
            }
        } catch let error as CLIError {
            throw error
        } catch let error as JOSEError {
            throw CLIError.usage("\(file): \(error.reason)")
        } catch {
            throw CLIError.usage("\(file) is not a JWK or a PEM public key: \(error)")
        }
        guard key.algorithm == .es256 else {
            throw CLIError.usage("\(file) is not an EC P-256 key; passports bind ES256 keys")
        }
        return try JSONValue(parsing: Data(key.json(includeMetadata: false).utf8))
    }
}

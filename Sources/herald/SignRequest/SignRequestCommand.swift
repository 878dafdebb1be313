import ArgumentParser
import AsyncHTTPClient
import Foundation
import HeraldCore
import HeraldJOSE
import HeraldVerifier
import NIOCore

/// `herald sign-request URL --key FILE --passport FILE|JWT [--method M] [--data D | --data-file F]
/// [--trust L3] [--format headers|mcps] [--send]`: signs one request as an agent.
struct SignRequestCommand: AsyncParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        /// The `Agent-Signature` and `Agent-Passport` headers of wire-formats §5.
        case headers
        /// An mcps-secure 1.0 signed message envelope (`sign_message`) around the JSON body.
        case mcps
    }

    static let configuration = CommandConfiguration(
        commandName: "sign-request", abstract: "Sign a request as an agent (Agent-Signature, wire-formats §5).",
        discussion: """
            Offline: signs the method, the URL's path and query, a timestamp, a fresh nonce and the \
            SHA-256 of the body with the agent's key (--key: a P-256 private key PEM, or a private \
            JWK for P-256 or Ed25519), and prints the Agent-Signature and Agent-Passport headers, one \
            per line, as curl -H takes them. --passport is the agent's JWT passport (a file, the \
            issuance response {"passport":…}, or the JWT itself); its cnf.jwk must be the key's \
            public half, and names the keyid. With --send the request is sent and the answer's \
            status and body are printed (exit 0 on 2xx, 2 otherwise, 3 when unreachable).

            --format mcps wraps the JSON body (a JSON-RPC message) in an mcps-secure 1.0 signed \
            message envelope (mcp_secure.sign_message: the `mcps` member with version, passport_id, \
            timestamp, nonce and signature) and prints it, or sends it with --send; \
            mcp_secure.verify_message accepts it with the passport key's PEM. MCPS signs messages, \
            not HTTP requests: the method and URL are not covered.
            """)

    @Argument(help: "The request URL, already percent-encoded; its path and query are signed as sent.")
    var url: String
    @Option(help: "The agent's private key: P-256 PEM, or a private JWK (P-256 or Ed25519).") var key: String
    @Option(help: "The agent's passport: a file or the compact JWT.") var passport: String
    @Option(help: "The method (default GET, POST with a body).") var method: String?
    @Option(help: "The body, as given.") var data: String?
    @Option(name: .customLong("data-file"), help: "The body, from a file (raw bytes).") var dataFile: String?
    @Option(help: "The level to act at, L0…L4 (default: the passport's level).") var trust: String?
    @Option(help: "headers|mcps") var format: Format = .headers
    @Option(name: [.customShort("H"), .customLong("header")], help: "An extra header for --send, 'Name: value'.")
    var headers: [String] = []
    @Flag(help: "Send the request and print the status and body.") var send = false

    func validate() throws {
        guard data == nil || dataFile == nil else { throw ValidationError("give --data or --data-file, not both") }
        if let trust, trust.utf8.count != 2 || !trust.hasPrefix("L") || TrustLevel(name: trust) == nil {
            throw ValidationError("--trust must be one of L0, L1, L2, L3, L4")
        }
        if let method, method.isEmpty || !method.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != 0x3A }) {
            throw ValidationError("--method must be an HTTP method such as GET or POST")
        }
        for header in headers where !header.contains(":") {
            throw ValidationError("-H takes 'Name: value', not \(header)")
        }
    }

    func run() async throws {
        let target = try Self.target(of: url)
        let body = try readBody()
        let credentials = try SignRequestCredentials.load(keyFile: key, passport: passport)
        let method = (method ?? (body.isEmpty && format == .headers ? "GET" : "POST")).uppercased()
        var sendHeaders: [(String, String)] = []
        var sendBody = body
        switch format {
        case .headers:
            guard let jwt = credentials.jwt else {
                throw CLIError.usage("Agent-Passport carries a JWT passport; issue one with `herald passport issue ID "
                    + "--format jwt` (an MCPS passport serves --format mcps)")
            }
            let header = try Self.sign(method: method, target: target, body: body, credentials: credentials,
                                       trust: trust.flatMap(TrustLevel.init(name:)))
            sendHeaders = [(AgentSignatureHeader.name, header.rendered), (AgentSignatureVerifier.passportHeaderName, jwt)]
            if !send {
                for (name, value) in sendHeaders { Console.write("\(name): \(value)") }
                return
            }
        case .mcps:
            let envelope = try SignRequestMCPSEnvelope.sign(body: body, passportID: credentials.passportID, key: credentials.key)
            sendBody = envelope
            if !send {
                Console.write(String(decoding: envelope, as: UTF8.self))
                return
            }
        }
        if !sendBody.isEmpty, !headers.contains(where: { $0.lowercased().hasPrefix("content-type:") }) {
            let isJSON = (try? JSONSerialization.jsonObject(with: Data(sendBody), options: [.fragmentsAllowed])) != nil
            sendHeaders.append(("Content-Type", isJSON ? "application/json" : "application/octet-stream"))
        }
        for header in headers {
            let parts = header.split(separator: ":", maxSplits: 1)
            sendHeaders.append((String(parts[0]).trimmingCharacters(in: .whitespaces),
                                parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : ""))
        }
        try await Self.send(method: method, url: url, headers: sendHeaders, body: sendBody)
    }

    /// The `Agent-Signature` header for one request.
    static func sign(method: String, target: String, body: [UInt8], credentials: SignRequestCredentials,
                     trust: TrustLevel?, now: Date = Date()) throws -> AgentSignatureHeader {
        var random = SystemRandomNumberGenerator()
        let nonce = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
        let timestamp = Int64(now.timeIntervalSince1970.rounded(.down))
        let message = AgentSignatureMessage(method: method, target: target, timestamp: timestamp, nonce: nonce, body: body)
        let signature: [UInt8]
        do { signature = try credentials.key.sign(message.bytes) } catch {
            throw CLIError.usage("signing failed: \(error)")
        }
        return AgentSignatureHeader(keyID: credentials.passportKey.kid, algorithm: credentials.key.algorithm.rawValue,
                                    timestamp: timestamp, nonce: nonce, trust: trust, signature: signature)
    }

    /// The request target AsyncHTTPClient sends for `url` (its percent-encoded path, `/` when
    /// empty, then `?` and the query), which is what must be signed.
    static func target(of url: String) throws -> String {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
              parsed.host != nil
        else { throw CLIError.usage("the URL must be an absolute http(s) URL such as http://127.0.0.1:8090/deploy, not \(url)") }
        var target = parsed.path.isEmpty
            ? "/" : (URLComponents(url: parsed, resolvingAgainstBaseURL: true)?.percentEncodedPath ?? parsed.path)
        if let query = parsed.query { target += "?" + query }
        return target
    }

    private func readBody() throws -> [UInt8] {
        if let data { return Array(data.utf8) }
        guard let dataFile else { return [] }
        guard let contents = FileManager.default.contents(atPath: dataFile) else {
            throw CLIError.usage("cannot read the body file \(dataFile)")
        }
        return Array(contents)
    }

    private static func send(method: String, url: String, headers: [(String, String)], body: [UInt8]) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if !body.isEmpty { request.body = .bytes(ByteBuffer(bytes: body)) }
        let status: UInt
        let answer: ByteBuffer
        do {
            let response = try await AdminClient.http.execute(request, timeout: .seconds(30))
            status = response.status.code
            answer = try await response.body.collect(upTo: 4 << 20)
        } catch {
            throw CLIError.unreachable("cannot send the request to \(url): \(error)")
        }
        Console.write("HTTP \(status)")
        let text = String(buffer: answer)
        if !text.isEmpty { Console.write(text) }
        guard (200..<300).contains(status) else { throw CLIError(kind: .refused, message: "") }
    }
}

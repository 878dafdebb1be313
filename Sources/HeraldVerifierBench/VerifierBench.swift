import Crypto
import Foundation
import HeraldCore
import HeraldJOSE
import HeraldVerifier
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Agent-Signature verifications per second through ``AgentTrustMiddleware`` (each a full
/// request through a Hummingbird router's responder, unique nonce, body hashed), against
/// raw ES256 verifications per second with swift-crypto in the same process. Requests and
/// signatures are prepared before the clock starts; both loops run on one task, so the
/// ratio compares like with like (wire-formats §5; issue 11's target is ≥ 0.80).
@main
struct VerifierBench {
    static let issuer = "https://herald.example/realms/acme"
    static let target = "/deploy?env=prod"
    static let body = Array(#"{"service":"api","replicas":3}"#.utf8)

    static func main() async throws {
        let arguments = CommandLine.arguments
        let count = arguments.firstIndex(of: "--requests").flatMap { Int(arguments[$0 + 1]) } ?? 20_000
        let rounds = arguments.firstIndex(of: "--rounds").flatMap { Int(arguments[$0 + 1]) } ?? 3

        let issuerKey = SigningKey.generate(.es256)
        let agentKey = SigningKey.generate(.es256)
        let now = Int64(Date().timeIntervalSince1970)
        let passport = try JWTPassportClaims(
            issuer: issuer, subject: "agent-bench", issuedAt: now - 10, expiresAt: now + 3600,
            passportID: MCPSPassport.newID(), agent: PassportAgent(name: "bench", version: "1.0", capabilities: ["deploy"]),
            codeHash: "sha256:bench", trustLevel: .l3, trustScore: 70, pipelineStage: "ACTIVE",
            confirmationKey: agentKey.publicKey, status: StatusListReference(index: 1, uri: issuer + "/statuslists/1")
        ).signed(by: JWTSigner(key: issuerKey))

        let verifier = AgentSignatureVerifier(trustedIssuers: [issuer: StaticJWKS(keys: [issuerKey.publicKey])])
        let router = Router(context: BenchContext.self)
        router.group("deploy")
            .add(middleware: AgentTrustMiddleware<BenchContext>(minimumLevel: .l2, signatureVerifier: verifier))
            .post { _, context -> Response in
                guard context.trustedAgent?.level == .l3 else { return Response(status: .internalServerError) }
                return Response(status: .noContent)
            }
        // The bearer path, for comparison: a Herald access token per request (status lists off:
        // there is no issuer to fetch them from here).
        let tokenVerifier = HeraldTokenVerifier(
            configuration: .init(issuer: issuer, audience: "https://api.example", checksStatus: false),
            keys: StaticJWKS(keys: [issuerKey.publicKey]), statusLists: nil)
        router.group("bearer")
            .add(middleware: AgentTrustMiddleware<BenchContext>(minimumLevel: .l2, tokenVerifier: tokenVerifier))
            .get { _, context -> Response in
                Response(status: context.trustedAgent?.level == .l3 ? .noContent : .internalServerError)
            }
        let token = try accessToken(signer: JWTSigner(key: issuerKey), now: now)
        let responder = router.buildResponder()
        var logger = Logger(label: "herald.verifier.bench")
        logger.logLevel = .error
        let source = BenchContext.Source(logger: logger)

        var middlewareRates: [Double] = []
        var rawRates: [Double] = []
        var bearerRates: [Double] = []
        for round in 0..<rounds {
            let requests = try signedRequests(count, round: round, key: agentKey, passport: passport)
            middlewareRates.append(Double(count) / (try await respond(to: requests, with: responder, source: source)).seconds)

            let (publicKey, signatures, messages) = try rawSignatures(count, key: agentKey)
            let rawStarted = ContinuousClock.now
            for index in 0..<count {
                // From the 64 bytes r‖s, as a JWS or Agent-Signature carries it.
                guard let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signatures[index]),
                      publicKey.isValidSignature(signature, for: messages[index]) else {
                    throw BenchError("a raw signature did not verify")
                }
            }
            rawRates.append(Double(count) / (ContinuousClock.now - rawStarted).seconds)

            let bearerRequests = (0..<count).map { _ in
                Request(head: HTTPRequest(method: .get, scheme: "http", authority: "api.example", path: "/bearer",
                                          headerFields: [.authorization: "Bearer \(token)"]),
                        body: RequestBody(buffer: ByteBuffer()))
            }
            bearerRates.append(Double(count) / (try await respond(to: bearerRequests, with: responder, source: source)).seconds)
        }
        if arguments.contains("--breakdown") {
            let requests = try signedRequests(count, round: rounds, key: agentKey, passport: passport)
            let direct = try await verifyDirectly(requests, with: verifier)
            print("direct_verifier_per_sec=\(Int(Double(count) / direct.seconds)) passport_cache=\(verifier.passportCache.count)")
            // What Foundation's trimmingCharacters(in:) costs on a passport-sized String
            // (AgentSignatureVerifier trims the Agent-Passport value once per request).
            let trimStarted = ContinuousClock.now
            var trimmed = 0
            for _ in 0..<count { trimmed &+= passport.trimmingCharacters(in: .whitespaces).utf8.count }
            let trim = (ContinuousClock.now - trimStarted).seconds / Double(count) * 1e6
            print("passport_trim_us=\(String(format: "%.2f", trim)) passport_bytes=\(trimmed / count)")
        }
        let middleware = median(middlewareRates), raw = median(rawRates)
        print("requests_per_round=\(count) rounds=\(rounds)")
        print("middleware_agent_signature_per_sec=\(Int(middleware))")
        print("raw_es256_verify_per_sec=\(Int(raw))")
        print("middleware_bearer_per_sec=\(Int(median(bearerRates))) bearer_ratio=\(String(format: "%.3f", median(bearerRates) / raw))")
        print("agent_signature_ratio=\(String(format: "%.3f", middleware / raw))")
    }

    /// Sends `requests` through `responder` one after another; the time taken. Nonisolated,
    /// so the loop runs on the global executor as a server's request task does: awaited from
    /// `main` (the main actor), every request would pay two thread hops.
    nonisolated static func respond(to requests: [Request], with responder: some HTTPResponder<BenchContext>,
                                    source: BenchContext.Source) async throws -> Duration {
        let started = ContinuousClock.now
        for request in requests {
            let response = try await responder.respond(to: request, context: BenchContext(source: source))
            guard response.status == .noContent else {
                throw BenchError("a signed request was refused: HTTP \(response.status.code)")
            }
        }
        return ContinuousClock.now - started
    }

    /// ``AgentSignatureVerifier/verify`` alone over the requests' parts (`--breakdown`): what
    /// the middleware and router add is the difference.
    nonisolated static func verifyDirectly(_ requests: [Request], with verifier: AgentSignatureVerifier)
        async throws -> Duration {
        let parts = requests.map { request in
            (request.head.path!, request.headers[AgentTrustFieldsBench.signature]!, request.headers[AgentTrustFieldsBench.passport]!)
        }
        let started = ContinuousClock.now
        for (target, signature, passport) in parts {
            _ = try await verifier.verify(method: "POST", target: target, signature: signature, passport: passport,
                                          body: body, now: Date(), minimumLevel: nil)
        }
        return ContinuousClock.now - started
    }

    /// An L3 access token as Herald writes one (wire-formats §2).
    static func accessToken(signer: JWTSigner, now: Int64) throws -> String {
        let claims: JCSValue = [
            "iss": .string(issuer), "sub": "agent-bench", "aud": "https://api.example", "client_id": "bench",
            "exp": .int(now + 3600), "iat": .int(now), "nbf": .int(now), "jti": "bench-1", "scope": "deploy",
            "realm_access": ["roles": ["mcps-l3"]],
            "mcps": ["trust_level": 3, "trust_label": "L3 -- Elevated", "payment_enabled": true, "tx_limit": 1000,
                     "day_limit": 5000, "scopes": "deploy", "trust_score": 70, "pipeline_stage": "ACTIVE"],
        ]
        return try signer.sign(claims: JCS.canonicalize(claims), typ: "at+jwt")
    }

    /// `count` requests signed as §5 says, each with its own nonce.
    static func signedRequests(_ count: Int, round: Int, key: SigningKey, passport: String) throws -> [Request] {
        let ts = Int64(Date().timeIntervalSince1970)
        let signatureField = AgentTrustFieldsBench.signature, passportField = AgentTrustFieldsBench.passport
        return try (0..<count).map { index in
            let nonce = String(format: "%08x%024x", round, index)
            let message = AgentSignatureMessage(method: "POST", target: target, timestamp: ts, nonce: nonce, body: body)
            let header = AgentSignatureHeader(keyID: key.kid, algorithm: "ES256", timestamp: ts, nonce: nonce, trust: .l3,
                                              signature: try key.sign(message.bytes))
            let head = HTTPRequest(method: .post, scheme: "http", authority: "api.example", path: target, headerFields: [
                signatureField: header.rendered, passportField: passport, .contentType: "application/json",
                .contentLength: String(body.count),
            ])
            return Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: body)))
        }
    }

    /// `count` distinct messages of the signed-string's size, and their raw ES256 signatures.
    static func rawSignatures(_ count: Int, key: SigningKey)
        throws -> (P256.Signing.PublicKey, [[UInt8]], [[UInt8]]) {
        guard case .p256(let publicKey) = key.publicKey.material else { throw BenchError("not a P-256 key") }
        var signatures: [[UInt8]] = []
        var messages: [[UInt8]] = []
        signatures.reserveCapacity(count)
        messages.reserveCapacity(count)
        for index in 0..<count {
            let message = AgentSignatureMessage(method: "POST", target: target, timestamp: 1_767_225_600,
                                                nonce: String(format: "%032x", index), body: body).bytes
            messages.append(message)
            signatures.append(try key.sign(message))
        }
        return (publicKey, signatures, messages)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Duration {
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}

enum AgentTrustFieldsBench {
    static let signature = HTTPField.Name(AgentSignatureHeader.name)!
    static let passport = HTTPField.Name(AgentSignatureVerifier.passportHeaderName)!
}

import Foundation
import HeraldCore
import HeraldJOSE
import HeraldVerifier
import Testing

@Suite("Agent-Signature verification")
struct AgentSignatureVerifierTests {
    static let issuer = "https://herald.example/realms/acme"
    static let now = Date(timeIntervalSince1970: 1_767_225_600)
    static let ts: Int64 = 1_767_225_600

    let issuerKey = SigningKey.generate(.es256)
    let agentKey = SigningKey.generate(.es256)

    func passport(level: TrustLevel = .l3, agent: SigningKey? = nil, issuer: String = issuer, signer: SigningKey? = nil,
                  exp: Int64 = 1_767_229_200) throws -> String {
        try JWTPassportClaims(
            issuer: issuer, subject: "agent-payments", issuedAt: 1_767_225_000, expiresAt: exp,
            passportID: MCPSPassport.newID(),
            agent: PassportAgent(name: "payments", version: "1.0", capabilities: []), codeHash: nil, trustLevel: level,
            trustScore: 70, pipelineStage: "ACTIVE", confirmationKey: (agent ?? agentKey).publicKey, status: nil
        ).signed(by: JWTSigner(key: signer ?? issuerKey))
    }

    func verifier(skew: TimeInterval = 300, cache: VerifiedPassportCache = VerifiedPassportCache()) -> AgentSignatureVerifier {
        AgentSignatureVerifier(trustedIssuers: [Self.issuer: StaticJWKS(keys: [issuerKey.publicKey])], skew: skew,
                               passportCache: cache)
    }

    struct Request {
        var method = "POST"
        var target = "/deploy?env=prod"
        var body = Array(#"{"service":"api"}"#.utf8)
        var header: AgentSignatureHeader
        var passport: String?
    }

    /// A request signed as §5 says; `sign` may change what is signed (the tampering).
    func request(key: SigningKey? = nil, keyID: String? = nil, trust: TrustLevel? = .l3, ts: Int64 = ts,
                 nonce: String = "00112233445566778899aabbccddeeff", alg: String? = nil,
                 passport: String? = nil, signedMethod: String = "POST", signedTarget: String = "/deploy?env=prod",
                 signedBody: [UInt8] = Array(#"{"service":"api"}"#.utf8)) throws -> Request {
        let key = key ?? agentKey
        let message = AgentSignatureMessage(method: signedMethod, target: signedTarget, timestamp: ts, nonce: nonce,
                                            body: signedBody)
        let header = AgentSignatureHeader(keyID: keyID ?? key.kid, algorithm: alg ?? key.algorithm.rawValue,
                                          timestamp: ts, nonce: nonce, trust: trust,
                                          signature: try key.sign(message.bytes))
        return Request(header: header, passport: try passport ?? self.passport())
    }

    func verify(_ request: Request, with verifier: AgentSignatureVerifier? = nil, now: Date = now,
                minimum: TrustLevel? = nil) async throws(AgentSignatureFailure) -> VerifiedAgent {
        try await (verifier ?? self.verifier()).verify(
            method: request.method, target: request.target, signature: request.header.rendered,
            passport: request.passport, body: request.body, now: now, minimumLevel: minimum)
    }

    func reason(_ request: Request, with verifier: AgentSignatureVerifier? = nil, now: Date = now,
                minimum: TrustLevel? = nil) async -> AgentSignatureFailure.Reason? {
        do {
            _ = try await verify(request, with: verifier, now: now, minimum: minimum)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test("a signed request verifies and yields the agent, its issuer and its level")
    func accepted() async throws {
        let agent = try await verify(try request(), minimum: .l3)
        #expect(agent.agentID == "agent-payments" && agent.issuer == Self.issuer && agent.level == .l3)
        #expect(agent.passportLevel == .l3 && agent.claimedLevel == .l3 && agent.keyID == agentKey.kid)
        #expect(agent.claims?.subject == "agent-payments" && agent.signedAt == Self.now)
        // Without trust, the passport's level applies; a lower trust lowers it.
        #expect(try await verify(try request(trust: nil, nonce: "aa00000000000000")).level == .l3)
        #expect(try await verify(try request(trust: .l1, nonce: "aa00000000000001")).level == .l1)
        // An empty body signs the digest of the empty string.
        var get = try request(signedMethod: "GET", signedTarget: "/public", signedBody: [])
        get.method = "get"
        get.target = "/public"
        get.body = []
        #expect(try await verify(get).level == .l3)
    }

    @Test("an Ed25519 passport key signs with EdDSA, not ES256")
    func edDSA() async throws {
        let edKey = SigningKey.generate(.edDSA)
        let passport = try passport(agent: edKey)
        #expect(try await verify(try request(key: edKey, passport: passport)).algorithm == "EdDSA")
        #expect(await reason(try request(key: edKey, nonce: "bb00000000000000", alg: "ES256", passport: passport))
                == .unsupportedAlgorithm)
    }

    @Test("the high-S twin of an ES256 signature verifies too (its nonce is still single-use)")
    func highS() async throws {
        let verifier = verifier()
        var request = try request()
        request.header.signature = Array(request.header.signature[0..<32]) + Self.negate(Array(request.header.signature[32...]))
        #expect(try await verify(request, with: verifier).level == .l3)
        #expect(await reason(try self.request(), with: verifier) == .replayedNonce)
    }

    @Test("each refusal has its own reason")
    func refusals() async throws {
        let good = try request()
        var tampered = good
        tampered.method = "PUT"
        #expect(await reason(tampered) == .badSignature)
        tampered = good
        tampered.target = "/deploy-all?env=prod"
        #expect(await reason(tampered) == .badSignature)
        tampered = good
        tampered.target = "/deploy?env=dev"
        #expect(await reason(tampered) == .badSignature)
        tampered = good
        tampered.body = Array(#"{"service":"db"}"#.utf8)
        #expect(await reason(tampered) == .badSignature)
        tampered = good
        tampered.header.timestamp += 1
        #expect(await reason(tampered) == .badSignature)
        tampered = good
        tampered.header.nonce = "ffffffffffffffff"
        #expect(await reason(tampered) == .badSignature)

        // Stale and future timestamps, at the edge of the window and past it.
        #expect(await reason(good, now: Self.now.addingTimeInterval(300)) == nil)
        #expect(await reason(good, now: Self.now.addingTimeInterval(301)) == .staleTimestamp)
        #expect(await reason(good, now: Self.now.addingTimeInterval(-301)) == .staleTimestamp)
        #expect(await reason(good, with: verifier(skew: 30), now: Self.now.addingTimeInterval(31)) == .staleTimestamp)

        // Replays: the same request twice through one verifier.
        let verifier = verifier()
        #expect(await reason(good, with: verifier) == nil)
        #expect(await reason(good, with: verifier) == .replayedNonce)

        // trust above the passport's level acts at the passport's level.
        let overclaim = try request(trust: .l4)
        #expect(try await verify(overclaim).level == .l3)
        #expect(await reason(overclaim, minimum: .l4) == .insufficientTrust)

        // Another key, named as such or posing as the passport's.
        let other = SigningKey.generate(.es256)
        #expect(await reason(try request(key: other)) == .keyMismatch)
        #expect(await reason(try request(key: other, keyID: agentKey.kid)) == .badSignature)

        // Passports: from an untrusted issuer, signed by an unknown key, expired, absent.
        let stranger = SigningKey.generate(.es256)
        #expect(await reason(try request(passport: try passport(issuer: "https://evil.example", signer: stranger)))
                == .unknownIssuer)
        let forged = try request(passport: try passport(signer: stranger))
        var failure: AgentSignatureFailure?
        do { _ = try await verify(forged) } catch { failure = error }
        #expect(failure?.reason == .passportInvalid && failure?.passportError?.code == .unknownKey)
        #expect(await reason(try request(passport: try passport(exp: Self.ts - 100))) == .passportInvalid)
        #expect(await reason(try request(passport: "not.a.jwt")) == .passportInvalid)
        var missing = good
        missing.passport = nil
        #expect(await reason(missing) == .missingPassport)
        missing.passport = "  "
        #expect(await reason(missing) == .missingPassport)

        #expect(await reason(try request(alg: "HS256")) == .unsupportedAlgorithm)
        #expect(await reason(try request(alg: "none")) == .unsupportedAlgorithm)

        let token = try passport()
        var noHeader: AgentSignatureFailure?
        do throws(AgentSignatureFailure) {
            _ = try await self.verifier().verify(method: "GET", target: "/", signature: nil, passport: token, body: [UInt8](),
                                            now: Self.now)
        } catch { noHeader = error }
        #expect(noHeader?.reason == .malformedHeader)
    }

    @Test("a malformed header says how, under one reason")
    func malformed() async throws {
        let token = try passport()
        do throws(AgentSignatureFailure) {
            _ = try await verifier().verify(method: "GET", target: "/", signature: #"keyid="k", bogus="1""#,
                                            passport: token, body: [UInt8](), now: Self.now)
            Issue.record("accepted a malformed header")
        } catch {
            #expect(error.reason == .malformedHeader && error.headerError?.code == .unknownParameter)
        }
    }

    @Test("a full replay cache refuses instead of forgetting")
    func replayCacheFull() async throws {
        let verifier = AgentSignatureVerifier(trustedIssuers: [Self.issuer: StaticJWKS(keys: [issuerKey.publicKey])],
                                              replayCache: NonceReplayCache(capacity: 1))
        #expect(await reason(try request(nonce: "cc00000000000000"), with: verifier) == nil)
        #expect(await reason(try request(nonce: "cc00000000000001"), with: verifier) == .replayCacheFull)
        #expect(await reason(try request(nonce: "cc00000000000000"), with: verifier) == .replayedNonce)
    }

    @Test("a verified passport is cached until it expires; a bad signature never enters the replay cache")
    func caching() async throws {
        let cache = VerifiedPassportCache(capacity: 2)
        let verifier = verifier(cache: cache)
        let passport = try passport(exp: Self.ts + 60)
        #expect(await reason(try request(nonce: "dd00000000000000", passport: passport), with: verifier) == nil)
        #expect(cache.count == 1)
        #expect(cache.passport(for: passport, now: Self.now) != nil)
        #expect(cache.passport(for: passport, now: Self.now.addingTimeInterval(90)) == nil)  // exp + 30 s leeway

        var forged = try request(nonce: "dd00000000000001", passport: passport)
        forged.body = [1]
        #expect(await reason(forged, with: verifier) == .badSignature)
        #expect(verifier.replayCache.count(now: Self.ts) == 1)

        // Bounded: a third passport evicts one of the two held.
        for nonce in ["dd00000000000002", "dd00000000000003"] {
            #expect(await reason(try request(nonce: nonce, passport: try self.passport()), with: verifier) == nil)
        }
        #expect(cache.count == 2)
    }

    /// n − s for the P-256 order n (big-endian, 32 bytes).
    static func negate(_ s: [UInt8]) -> [UInt8] {
        let order: [UInt8] = [
            0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
        ]
        var result = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for index in stride(from: 31, through: 0, by: -1) {
            var digit = Int(order[index]) - Int(s[index]) - borrow
            borrow = digit < 0 ? 1 : 0
            if digit < 0 { digit += 256 }
            result[index] = UInt8(digit)
        }
        return result
    }
}

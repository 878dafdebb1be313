import Crypto
import Foundation
import HeraldCore
import HeraldJOSE
import HeraldTesting
@testable import HeraldVerifier
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@Suite("Herald access token verification")
struct HeraldTokenVerifierTests {
    let fixtures = TokenFixtures()

    func verifier(minimumLevel: TrustLevel = .l0, leeway: Duration = .seconds(30)) -> HeraldTokenVerifier {
        HeraldTokenVerifier(
            configuration: .init(issuer: fixtures.issuer, audience: fixtures.audience, leeway: leeway,
                                 minimumLevel: minimumLevel, checksStatus: false),
            keys: StaticJWKS(keys: [fixtures.key.publicKey, SigningKey.generate(.edDSA).publicKey]), statusLists: nil)
    }

    func refusal(_ token: String, by verifier: HeraldTokenVerifier? = nil, minimumLevel: TrustLevel? = nil)
        async -> HeraldTokenVerificationError.Code? {
        do {
            _ = try await (verifier ?? self.verifier()).verify(token, minimumLevel: minimumLevel)
            return nil
        } catch {
            return error.code
        }
    }

    @Test("a Herald token verifies and carries subject, client, level, scopes, mcps, roles and status")
    func accepts() async throws {
        let verified = try await verifier().verify(try fixtures.token())
        #expect(verified.subject == "agent-7" && verified.clientID == "pay-bot" && verified.issuer == fixtures.issuer)
        #expect(verified.level == .l3 && verified.scopes == ["payments:write", "ledger:read"])
        #expect(verified.trust == MCPSTrust(level: .l3, label: "L3 -- Elevated", paymentEnabled: true, transactionLimit: 1000,
                                            dailyLimit: 5000, scopes: ["payment_initiate", "sanctions_screen"],
                                            trustScore: 71, pipelineStage: "ACTIVE"))
        #expect(verified.roles == ["mcps-l3"] && verified.actors.isEmpty && verified.identityProvider == nil)
        #expect(verified.status == StatusListReference(index: 5, uri: fixtures.issuer + "/statuslists/1"))
        #expect(verified.signingKey.thumbprint == fixtures.key.publicKey.thumbprint)
        #expect(verified.claims["jti"] == "t-1" && verified.tokenID == "t-1")
    }

    @Test("the act chain, idp and an audience list are read")
    func delegation() async throws {
        let token = try fixtures.token {
            $0["aud"] = ["https://other.example", .string(fixtures.audience)]
            $0["idp"] = "https://keycloak.example/realms/corp"
            $0["act"] = ["sub": "coding-agent", "client_id": "coder", "act": ["sub": "orchestrator"]]
        }
        let verified = try await verifier().verify(token)
        #expect(verified.actors == [.init(subject: "coding-agent", clientID: "coder"), .init(subject: "orchestrator", clientID: nil)])
        #expect(verified.identityProvider == "https://keycloak.example/realms/corp")
        #expect(verified.audiences.count == 2)
    }

    @Test("the mcps claim as present: only trust_level is required")
    func minimalMCPS() async throws {
        let verified = try await verifier().verify(try fixtures.token { $0["mcps"] = ["trust_level": 2] })
        #expect(verified.trust == MCPSTrust(level: .l2))
        let spaced = try await verifier().verify(try fixtures.token { $0["mcps"] = ["trust_level": 1, "scopes": " a , b,,c "] })
        #expect(spaced.trust.scopes == ["a", "b", "c"])
        #expect(await refusal(try fixtures.token { $0["mcps"] = ["trust_level": 7] }) == .malformed)
        #expect(await refusal(try fixtures.token { $0["mcps"] = nil }) == .malformed)
        #expect(await refusal(try fixtures.token { $0["mcps"] = ["trust_level": 2, "tx_limit": "100"] }) == .malformed)
    }

    @Test("issuer, audience, expiry, not-before and iat are checked, with the skew")
    func claimsChecked() async throws {
        let now = fixtures.now
        #expect(await refusal(try fixtures.token { $0["iss"] = "https://herald.example/realms/other" }) == .wrongIssuer)
        #expect(await refusal(try fixtures.token { $0["iss"] = .string(fixtures.issuer + "/") }) == .wrongIssuer)
        #expect(await refusal(try fixtures.token { $0["aud"] = "https://other.example" }) == .wrongAudience)
        #expect(await refusal(try fixtures.token { $0["exp"] = .int(now - 31) }) == .expired)
        #expect(await refusal(try fixtures.token { $0["exp"] = .int(now - 20) }) == nil)  // inside the 30 s skew
        #expect(await refusal(try fixtures.token { $0["exp"] = .int(now - 20) }, by: verifier(leeway: .zero)) == .expired)
        #expect(await refusal(try fixtures.token { $0["nbf"] = .int(now + 60) }) == .notYetValid)
        #expect(await refusal(try fixtures.token { $0["iat"] = .int(now + 60) }) == .notYetValid)
        #expect(await refusal(try fixtures.token { $0["exp"] = "never" }) == .malformed)
        #expect(await refusal(try fixtures.token { $0["sub"] = nil }) == .malformed)
        #expect(await refusal(try fixtures.token { $0["aud"] = nil }) == .malformed)
        #expect(await refusal("not a token") == .malformed)
    }

    @Test("typ must be at+jwt")
    func type() async throws {
        let claims = fixtures.claims()
        for typ: JCSValue in ["agent-passport+jwt", "JWT", "statuslist+jwt", nil] {
            var header: [String: JCSValue] = ["alg": "ES256", "kid": .string(fixtures.key.kid)]
            if typ != nil { header["typ"] = typ }
            #expect(await refusal(try fixtures.token(claims, header: header)) == .wrongType)
        }
        let rfc = try fixtures.token(claims, header: ["alg": "ES256", "typ": "application/at+jwt", "kid": .string(fixtures.key.kid)])
        #expect(await refusal(rfc) == nil)
        let upper = try fixtures.token(claims, header: ["alg": "ES256", "typ": "AT+JWT", "kid": .string(fixtures.key.kid)])
        #expect(await refusal(upper) == nil)
    }

    @Test("alg none, HS256 keyed with the public key, and an algorithm not the key's are refused")
    func algorithms() async throws {
        let claims = JCS.canonicalize(.object(fixtures.claims()))
        func unsigned(_ header: JCSValue, signature: [UInt8]) -> String {
            let input = Base64URL.encode(JCS.canonicalize(header)) + "." + Base64URL.encode(claims)
            return input + "." + Base64URL.encode(signature)
        }
        let none: JCSValue = ["alg": "none", "typ": "at+jwt", "kid": .string(fixtures.key.kid)]
        #expect(await refusal(unsigned(none, signature: [])) == .unsupportedAlgorithm)
        let hsHeader: JCSValue = ["alg": "HS256", "typ": "at+jwt", "kid": .string(fixtures.key.kid)]
        let input = Base64URL.encode(JCS.canonicalize(hsHeader)) + "." + Base64URL.encode(claims)
        let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8),
                                                  using: SymmetricKey(data: Array(fixtures.key.publicKey.json(includeMetadata: true).utf8)))
        #expect(await refusal(input + "." + Base64URL.encode(Array(mac))) == .unsupportedAlgorithm)
        // An EdDSA header naming the ES256 key: the key's own algorithm wins.
        let eddsa = SigningKey.generate(.edDSA)
        let confused = try fixtures.token(fixtures.claims(), header: ["alg": "EdDSA", "typ": "at+jwt", "kid": .string(fixtures.key.kid)],
                                          signer: eddsa)
        #expect(await refusal(confused) == .unsupportedAlgorithm)
    }

    @Test("an unknown kid and a signature by another key are refused distinctly")
    func keys() async throws {
        let stranger = SigningKey.generate(.es256)
        let unknown = try fixtures.token(fixtures.claims(), header: ["alg": "ES256", "typ": "at+jwt", "kid": .string(stranger.kid)],
                                         signer: stranger)
        #expect(await refusal(unknown) == .unknownKey)
        let forged = try fixtures.token(fixtures.claims(), signer: stranger)  // names the issuer's kid
        #expect(await refusal(forged) == .badSignature)
        var tampered = try fixtures.token().split(separator: ".").map(String.init)
        tampered[1] = Base64URL.encode(JCS.canonicalize(.object(fixtures.claims(level: 4))))
        #expect(await refusal(tampered.joined(separator: ".")) == .badSignature)
    }

    @Test("the minimum level: the configuration's and the operation's")
    func minimumLevel() async throws {
        let l1 = try fixtures.token(fixtures.claims(level: 1))
        #expect(await refusal(l1, minimumLevel: .l2) == .insufficientTrust)
        #expect(await refusal(l1, minimumLevel: .l1) == nil)
        #expect(await refusal(l1, by: verifier(minimumLevel: .l3), minimumLevel: .l0) == .insufficientTrust)
    }

    @Test("a JWKS endpoint that is down is jwks_unavailable, not a refusal of the token")
    func jwksDown() async throws {
        let keys = RemoteJWKSCache(url: URL(string: "http://127.0.0.1:1/jwks")!)
        let verifier = HeraldTokenVerifier(configuration: .init(issuer: fixtures.issuer, audience: fixtures.audience,
                                                                checksStatus: false), keys: keys, statusLists: nil)
        let code = await refusal(try fixtures.token(), by: verifier)
        #expect(code == .jwksUnavailable)
    }
}

/// A loopback issuer serving one signed Token Status List.
final class StatusListTestEndpoint: Sendable {
    struct State: Sendable {
        var list = StatusList(bits: 2, capacity: 64)
        var status: HTTPResponse.Status = .ok
        var subjectOverride: String?
        var ttl = 30
        var exp: Int64 = 86_400
    }

    let state = Mutex(State())
    let hits = Atomic<Int>(0)
    let key: SigningKey

    init(key: SigningKey) { self.key = key }

    func application(issuerPath: String) -> some ApplicationProtocol {
        let router = Router()
        router.get("\(issuerPath)/statuslists/1") { request, _ -> Response in
            self.hits.add(1, ordering: .sequentiallyConsistent)
            let state = self.state.withLock { $0 }
            let host = request.head.authority ?? "127.0.0.1"
            let uri = "http://\(host)/\(issuerPath)/statuslists/1"
            let now = Int64(Date().timeIntervalSince1970)
            let claims = StatusListClaims(issuer: "http://\(host)/\(issuerPath)", subject: state.subjectOverride ?? uri,
                                          issuedAt: now, expiresAt: now + state.exp, timeToLive: state.ttl, list: state.list)
            let token = try claims.signed(by: JWTSigner(key: self.key))
            return Response(status: state.status, headers: [.contentType: "application/statuslist+jwt"],
                            body: .init(byteBuffer: ByteBuffer(string: token)))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }
}

@Suite("Token Status List checks")
struct TokenStatusListTests {
    /// Runs `body` with a verifier whose issuer is a live loopback server publishing a list.
    func withIssuer(_ body: @escaping @Sendable (TokenFixtures, HeraldTokenVerifier, StatusListTestEndpoint, ManualClock)
        async throws -> Void) async throws {
        let key = SigningKey.generate(.es256)
        let endpoint = StatusListTestEndpoint(key: key)
        try await endpoint.application(issuerPath: "realms/acme").test(.live) { client in
            let port = try #require(client.port)
            let base = TokenFixtures(issuer: "http://127.0.0.1:\(port)/realms/acme")
            let fixtures = TokenFixtures(issuer: base.issuer, key: key, now: base.now)
            let clock = ManualClock(Date(timeIntervalSince1970: TimeInterval(fixtures.now)))
            let keys = StaticJWKS(keys: [key.publicKey])
            let verifier = HeraldTokenVerifier(
                configuration: .init(issuer: fixtures.issuer, audience: fixtures.audience),
                keys: keys, statusLists: RemoteStatusListCache(issuer: fixtures.issuer, keys: keys, clock: clock), clock: clock)
            try await body(fixtures, verifier, endpoint, clock)
        }
    }

    static func code(_ verifier: HeraldTokenVerifier, _ token: String) async -> HeraldTokenVerificationError.Code? {
        do {
            _ = try await verifier.verify(token)
            return nil
        } catch {
            return error.code
        }
    }

    @Test("VALID passes, INVALID is revoked, SUSPENDED is suspended; the list is cached for its ttl")
    func statuses() async throws {
        try await withIssuer { (fixtures: TokenFixtures, verifier: HeraldTokenVerifier, endpoint: StatusListTestEndpoint,
                                clock: ManualClock) async throws in
            endpoint.state.withLock { $0.list.set(.invalid, at: 6); $0.list.set(.suspended, at: 7) }
            #expect(await Self.code(verifier, try fixtures.token(fixtures.claims(statusIndex: 5))) == nil)
            #expect(await Self.code(verifier, try fixtures.token(fixtures.claims(statusIndex: 6))) == .revoked)
            #expect(await Self.code(verifier, try fixtures.token(fixtures.claims(statusIndex: 7))) == .suspended)
            #expect(endpoint.hits.load(ordering: .sequentiallyConsistent) == 1)
            // A kill shows once the ttl has passed.
            endpoint.state.withLock { $0.list.set(.suspended, at: 5) }
            clock.advance(by: 29)
            #expect(await Self.code(verifier, try fixtures.token(fixtures.claims(statusIndex: 5))) == nil)
            clock.advance(by: 2)
            #expect(await Self.code(verifier, try fixtures.token(fixtures.claims(statusIndex: 5))) == .suspended)
            #expect(endpoint.hits.load(ordering: .sequentiallyConsistent) == 2)
            // An index beyond the list fails closed.
            #expect(await Self.code(verifier, try fixtures.token(fixtures.claims(statusIndex: 100_000))) == .statusUnavailable)
        }
    }

    @Test("a list that cannot be had or does not check out fails closed")
    func failsClosed() async throws {
        try await withIssuer { (fixtures: TokenFixtures, verifier: HeraldTokenVerifier, endpoint: StatusListTestEndpoint,
                                _: ManualClock) async throws in
            endpoint.state.withLock { $0.status = .internalServerError }
            #expect(await Self.code(verifier, try fixtures.token()) == .statusUnavailable)
            endpoint.state.withLock { $0.status = .ok; $0.subjectOverride = "http://elsewhere/statuslists/1" }
            #expect(await Self.code(verifier, try fixtures.token()) == .statusUnavailable)
            endpoint.state.withLock { $0.subjectOverride = nil }
            #expect(await Self.code(verifier, try fixtures.token()) == nil)
            // A status URI outside the issuer is never fetched.
            let outside = try fixtures.token {
                $0["status"] = ["status_list": ["idx": 1, "uri": "http://169.254.169.254/latest/meta-data"]]
            }
            #expect(await Self.code(verifier, outside) == .statusUnavailable)
        }
    }

    @Test("a list signed by another key fails closed")
    func foreignSignature() async throws {
        try await withIssuer { (fixtures: TokenFixtures, _: HeraldTokenVerifier, _: StatusListTestEndpoint,
                                clock: ManualClock) async throws in
            let other = StaticJWKS(keys: [fixtures.key.publicKey, SigningKey.generate(.es256).publicKey])
            // The token verifies with the issuer key; the list is checked against a set without it.
            let strangerKeys = StaticJWKS(keys: [SigningKey.generate(.es256).publicKey])
            let verifier = HeraldTokenVerifier(
                configuration: .init(issuer: fixtures.issuer, audience: fixtures.audience), keys: other,
                statusLists: RemoteStatusListCache(issuer: fixtures.issuer, keys: strangerKeys, clock: clock), clock: clock)
            #expect(await Self.code(verifier, try fixtures.token()) == .statusUnavailable)
        }
    }
}

import Foundation
import HeraldCore
import HeraldJOSE
@testable import HeraldVerifier
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// A test relying party: `POST /deploy` needs L2 through ``AgentTrustMiddleware``; the route
/// echoes the body it receives and the agent the middleware verified.
@Suite("AgentTrustMiddleware")
struct AgentTrustMiddlewareTests {
    let tokens = TokenFixtures()
    let agentKey = SigningKey.generate(.es256)

    var issuer: String { tokens.issuer }

    func application(minimumLevel: TrustLevel = .l2, maximumBodyBytes: Int = 1024) -> some ApplicationProtocol {
        let keys = StaticJWKS(keys: [tokens.key.publicKey])
        let middleware = AgentTrustMiddleware<BasicAgentTrustRequestContext>(
            minimumLevel: minimumLevel,
            tokenVerifier: HeraldTokenVerifier(
                configuration: .init(issuer: issuer, audience: tokens.audience, checksStatus: false), keys: keys,
                statusLists: nil),
            signatureVerifier: AgentSignatureVerifier(trustedIssuers: [issuer: keys]),
            maximumBodyBytes: maximumBodyBytes)
        let router = Router(context: BasicAgentTrustRequestContext.self)
        router.group("deploy").add(middleware: middleware).post { request, context -> String in
            let agent = try context.requireTrustedAgent()
            let body = try await request.body.collect(upTo: 4096)
            return "\(agent.subject) \(agent.level.name) \(agent.credentials.rawValue) \(String(buffer: body))"
        }
        router.get("unguarded") { _, context -> String in try context.requireTrustedAgent().subject }
        return Application(router: router)
    }

    func passport(subject: String = "agent-7", level: TrustLevel = .l3) throws -> String {
        let now = Int64(Date().timeIntervalSince1970)
        return try JWTPassportClaims(
            issuer: issuer, subject: subject, issuedAt: now - 10, expiresAt: now + 3600, passportID: MCPSPassport.newID(),
            agent: PassportAgent(name: "deployer", version: "1.0", capabilities: []), codeHash: nil, trustLevel: level,
            trustScore: 70, pipelineStage: "ACTIVE", confirmationKey: agentKey.publicKey, status: nil
        ).signed(by: JWTSigner(key: tokens.key))
    }

    /// The Agent-Signature and Agent-Passport fields for a request signed as §5 says.
    /// `signedTimestamp` and `signedNonce` sign other values than the header sends (tampering).
    func signed(method: String = "POST", target: String = "/deploy?env=prod", body: String = #"{"service":"api"}"#,
                trust: TrustLevel? = nil, ts: Int64? = nil, keyID: String? = nil, passport: String? = nil,
                signedTimestamp: Int64? = nil, signedNonce: String? = nil) throws -> HTTPFields {
        let nonce = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let ts = ts ?? Int64(Date().timeIntervalSince1970)
        let message = AgentSignatureMessage(method: method, target: target, timestamp: signedTimestamp ?? ts,
                                            nonce: signedNonce ?? nonce, body: Array(body.utf8))
        let header = AgentSignatureHeader(keyID: keyID ?? agentKey.kid, algorithm: "ES256", timestamp: ts, nonce: nonce,
                                          trust: trust, signature: try agentKey.sign(message.bytes))
        return [HTTPField.Name("Agent-Signature")!: header.rendered, HTTPField.Name("Agent-Passport")!: try passport ?? self.passport()]
    }

    func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    struct Refusal: Equatable {
        let status: HTTPResponse.Status
        let reason: String?
    }

    /// Sends `POST /deploy?env=prod` and returns status and body.
    func send(_ client: some TestClientProtocol, headers: HTTPFields, body: String = #"{"service":"api"}"#)
        async throws -> (HTTPResponse.Status, String, HTTPFields) {
        try await client.execute(uri: "/deploy?env=prod", method: .post, headers: headers,
                                 body: ByteBuffer(string: body)) { response in
            (response.status, String(buffer: response.body), response.headers)
        }
    }

    func reason(_ body: String) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["reason"] as? String
    }

    @Test("a bearer token at the level passes and the route sees the agent")
    func bearerAccepted() async throws {
        try await application().test(.router) { client in
            let (status, body, _) = try await send(client, headers: bearer(try tokens.token()))
            #expect(status == .ok && body == #"agent-7 L3 bearer {"service":"api"}"#)
        }
    }

    @Test("a signed request passes with its body handed on to the route")
    func signatureAccepted() async throws {
        try await application().test(.router) { client in
            let (status, body, _) = try await send(client, headers: try signed(trust: .l2))
            #expect(status == .ok && body == #"agent-7 L2 signature {"service":"api"}"#)
        }
    }

    @Test("both credentials: same subject, effective level the lower")
    func both() async throws {
        try await application().test(.router) { client in
            var headers = try signed(passport: try passport(level: .l4))
            headers.append(contentsOf: bearer(try tokens.token(tokens.claims(level: 2))))
            let (status, body, _) = try await send(client, headers: headers)
            #expect(status == .ok && body == #"agent-7 L2 bearer_and_signature {"service":"api"}"#)
        }
    }

    @Test("no credentials: 401 with both challenges")
    func missing() async throws {
        try await application().test(.router) { client in
            let (status, body, headers) = try await send(client, headers: [:])
            #expect(status == .unauthorized && reason(body) == "missing_credentials")
            let challenges = headers[values: .wwwAuthenticate]
            #expect(challenges.count == 2 && challenges[0].hasPrefix(#"Bearer error="invalid_token", error_description=""#))
            #expect(challenges[1].hasPrefix("AgentSignature "))
            // Another scheme is not a credential.
            let (basic, basicBody, _) = try await send(client, headers: [.authorization: "Basic cGF5OnNlY3JldA=="])
            #expect(basic == .unauthorized && reason(basicBody) == "missing_credentials")
        }
    }

    /// Sends each case and checks status, reason, challenge and the JSON shape, and that no
    /// reason answers two different causes.
    final class Expectations: @unchecked Sendable {
        var seen: Set<String> = []
    }

    func check(_ client: some TestClientProtocol, _ seen: Expectations, _ headers: HTTPFields,
               body: String = #"{"service":"api"}"#, _ status: HTTPResponse.Status, _ expected: String,
               challenge: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let (actual, text, fields) = try await send(client, headers: headers, body: body)
        #expect(actual == status, sourceLocation: sourceLocation)
        #expect(reason(text) == expected, "\(text)", sourceLocation: sourceLocation)
        if let challenge {
            #expect(fields[.wwwAuthenticate]?.hasPrefix(challenge) == true, "\(fields)", sourceLocation: sourceLocation)
        }
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(json?["error"] is String && json?["error_description"] is String, sourceLocation: sourceLocation)
        #expect(seen.seen.insert(expected).inserted, "reason \(expected) answers two causes", sourceLocation: sourceLocation)
    }

    @Test("bearer refusals: one reason each, 401 invalid_token or 403")
    func bearerRefusals() async throws {
        try await application().test(.router) { client in
            let seen = Expectations()
            let now = tokens.now
            try await check(client, seen, bearer(try tokens.token { $0["exp"] = .int(now - 100) }), .unauthorized, "expired",
                            challenge: #"Bearer error="invalid_token", error_description="the token expired"#)
            try await check(client, seen, bearer(try tokens.token { $0["nbf"] = .int(now + 100) }), .unauthorized, "not_yet_valid")
            try await check(client, seen, bearer(try tokens.token { $0["iss"] = "https://evil.example" }), .unauthorized,
                            "wrong_issuer")
            try await check(client, seen, bearer(try tokens.token { $0["aud"] = "https://other.example" }), .unauthorized,
                            "wrong_audience")
            try await check(client, seen, bearer(try tokens.token(tokens.claims(), signer: SigningKey.generate(.es256))),
                            .unauthorized, "bad_signature")
            let stranger = SigningKey.generate(.es256)
            try await check(client, seen, bearer(try tokens.token(tokens.claims(), header: [
                "alg": "ES256", "typ": "at+jwt", "kid": .string(stranger.kid)], signer: stranger)), .unauthorized, "unknown_key")
            try await check(client, seen, bearer(try tokens.token(tokens.claims(), header: [
                "alg": "ES256", "typ": "JWT", "kid": .string(tokens.key.kid)])), .unauthorized, "wrong_type")
            let none = Base64URL.encode(Array(#"{"alg":"none","typ":"at+jwt"}"#.utf8)) + "."
                + Base64URL.encode(JCS.canonicalize(.object(tokens.claims()))) + "."
            try await check(client, seen, bearer(none), .unauthorized, "unsupported_algorithm")
            try await check(client, seen, bearer("a.b"), .unauthorized, "malformed")
            try await check(client, seen, bearer(try tokens.token(tokens.claims(level: 1))), .forbidden, "insufficient_trust",
                            challenge: #"Bearer error="insufficient_scope""#)
        }
    }

    @Test("signature refusals: one reason each, 401 AgentSignature or 403 or 413")
    func signatureRefusals() async throws {
        try await application().test(.router) { client in
            let seen = Expectations()
            try await check(client, seen, try signed(), body: #"{"service":"db"}"#, .unauthorized, "bad_signature",
                            challenge: #"AgentSignature error="invalid_token""#)
            let replayed = try signed()
            _ = try await send(client, headers: replayed)
            try await check(client, seen, replayed, .unauthorized, "replayed_nonce")
            try await check(client, seen, try signed(ts: Int64(Date().timeIntervalSince1970) - 400), .unauthorized,
                            "stale_timestamp")
            var noPassport = try signed()
            noPassport[HTTPField.Name("Agent-Passport")!] = nil
            try await check(client, seen, noPassport, .unauthorized, "missing_passport")
            var garbled = try signed()
            garbled[HTTPField.Name("Agent-Signature")!] = #"keyid="x""#
            try await check(client, seen, garbled, .unauthorized, "malformed_header")
            let foreignIssuer = try JWTPassportClaims(
                issuer: "https://rogue.example/realms/acme", subject: "agent-7", issuedAt: tokens.now - 10,
                expiresAt: tokens.now + 600, passportID: MCPSPassport.newID(),
                agent: PassportAgent(name: "x", version: "1", capabilities: []), codeHash: nil, trustLevel: .l4,
                trustScore: 90, pipelineStage: "ACTIVE", confirmationKey: agentKey.publicKey, status: nil
            ).signed(by: JWTSigner(key: SigningKey.generate(.es256)))
            try await check(client, seen, try signed(passport: foreignIssuer), .unauthorized, "unknown_issuer")
            try await check(client, seen, try signed(keyID: SigningKey.generate(.es256).kid), .unauthorized, "key_mismatch")
            try await check(client, seen, try signed(passport: try passport(level: .l1)), .forbidden, "insufficient_trust",
                            challenge: #"AgentSignature error="insufficient_scope""#)
            try await check(client, seen, try signed(body: String(repeating: "x", count: 2000)),
                            body: String(repeating: "x", count: 2000), .contentTooLarge, "body_too_large")
            // Both credentials.
            var mismatch = try signed(passport: try passport(subject: "agent-8"))
            mismatch.append(contentsOf: bearer(try tokens.token()))
            try await check(client, seen, mismatch, .unauthorized, "subject_mismatch")
            var overclaim = try signed(trust: .l4, passport: try passport(level: .l4))
            overclaim.append(contentsOf: bearer(try tokens.token(tokens.claims(level: 2))))
            try await check(client, seen, overclaim, .forbidden, "trust_exceeds_token")
        }
    }

    @Test("two Agent-Passport fields are refused, not the first one taken")
    func twoPassports() async throws {
        try await application().test(.router) { client in
            var headers = try signed()
            headers.append(HTTPField(name: HTTPField.Name("Agent-Passport")!, value: try passport(subject: "agent-8")))
            let (status, text, _) = try await send(client, headers: headers)
            #expect(status == .unauthorized)
            #expect(reason(text) == "malformed_header")
            #expect(text.contains("2 Agent-Passport fields"), "\(text)")
            let (alone, _, _) = try await send(client, headers: try signed())
            #expect(alone == .ok)
        }
    }

    @Test("a tampered method, path, query, ts or nonce does not verify")
    func tampering() async throws {
        try await application().test(.router) { client in
            let ts = Int64(Date().timeIntervalSince1970)
            let cases: [HTTPFields] = [
                try signed(method: "PUT"), try signed(target: "/deploy?env=dev"), try signed(target: "/deploy-all?env=prod"),
                try signed(signedTimestamp: ts - 1), try signed(signedNonce: "ffffffffffffffffffffffffffffffff"),
            ]
            for headers in cases {
                let (status, body, _) = try await send(client, headers: headers)
                #expect(status == .unauthorized && reason(body) == "bad_signature", "\(body)")
            }
        }
    }

    @Test("a route not behind the middleware gets no agent and fails closed")
    func unguarded() async throws {
        try await application().test(.router) { client in
            try await client.execute(uri: "/unguarded", method: .get, headers: try signed(method: "GET", target: "/unguarded",
                                                                                             body: "")) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test("Authorization: Bearer parsing")
    func bearerParsing() throws {
        typealias Middleware = AgentTrustMiddleware<BasicAgentTrustRequestContext>
        #expect(try Middleware.bearerToken(["Bearer abc.def.ghi"]) == "abc.def.ghi")
        #expect(try Middleware.bearerToken(["bEARer \t abc \t"]) == "abc")
        #expect(try Middleware.bearerToken([]) == nil)
        #expect(try Middleware.bearerToken(["Basic cGF5OnNlY3JldA=="]) == nil)
        #expect(try Middleware.bearerToken(["Bearerabc"]) == nil)
        #expect(throws: AgentTrustRefusal.self) { try Middleware.bearerToken(["Bearer"]) }
        #expect(throws: AgentTrustRefusal.self) { try Middleware.bearerToken(["Bearer   "]) }
        #expect(throws: AgentTrustRefusal.self) { try Middleware.bearerToken(["Bearer a b"]) }
        #expect(throws: AgentTrustRefusal.self) { try Middleware.bearerToken(["Bearer a", "Bearer b"]) }
    }

    @Test("WWW-Authenticate descriptions are quoted-strings")
    func quoting() {
        #expect(AgentTrustRefusal.quoted(#"a "b" \ c"#) == #"a \"b\" \\ c"#)
        #expect(AgentTrustRefusal.quoted("line\nbreak é") == "line?break ?")
    }
}

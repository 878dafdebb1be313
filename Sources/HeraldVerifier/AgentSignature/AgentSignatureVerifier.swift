import Crypto
import Foundation
import HeraldCore
import HeraldJOSE

/// Verifies a signed agent request (wire-formats §5): the `Agent-Passport` JWT with its
/// issuer's keys, the `Agent-Signature` over the request with the passport's `cnf.jwk`, the
/// timestamp against a skew window, the nonce against a replay cache, and the level the
/// agent may act at.
///
/// Checks run cheapest first, and a nonce is recorded only once the signature verifies,
/// so requests nobody signed can neither fill the replay cache nor cost a passport
/// verification after the first:
///
/// 1. the header parses (``AgentSignatureFailure/Reason/malformedHeader``), a passport is
///    present (`missingPassport`), `alg` is ES256 or EdDSA (`unsupportedAlgorithm`);
/// 2. |now − ts| ≤ ``skew`` (`staleTimestamp`);
/// 3. the passport: from the cache, else its `iss` must be a trusted issuer
///    (`unknownIssuer`), whose key set answers (`issuerUnavailable`) and verifies it
///    (`passportInvalid`);
/// 4. `keyid` names the passport's `cnf.jwk` (`keyMismatch`), whose algorithm is `alg`
///    (`unsupportedAlgorithm`), and the signature verifies over
///    ``AgentSignatureMessage`` (`badSignature`);
/// 5. the nonce is new for this key (`replayedNonce`, `replayCacheFull`);
/// 6. with a minimum level, the effective level — the lower of `trust` and the passport's
///    `trust_level` — reaches it (`insufficientTrust`).
///
/// ES256 signatures are accepted with either half of s: §5 does not ask signers to
/// normalize (Python's `cryptography` does not), and the high-S twin of a signature signs
/// the same nonce, which the replay cache refuses the second time anyway.
public struct AgentSignatureVerifier: Sendable {
    /// The issuers whose passports are accepted, by `iss`, with where their keys come from
    /// (``RemoteJWKSCache`` for `{issuer}/.well-known/agent-trust-keys`, ``StaticJWKS``
    /// for pinned keys).
    public let trustedIssuers: [String: any JWKSSource]
    /// The largest |now − ts| accepted, in seconds (wire-formats §5: 300).
    public let skew: TimeInterval
    /// Clock skew allowed on the passport's `iat` and `exp`, in seconds.
    public let passportLeeway: TimeInterval
    public let replayCache: NonceReplayCache
    public let passportCache: VerifiedPassportCache

    public init(trustedIssuers: [String: any JWKSSource], skew: TimeInterval = 300, passportLeeway: TimeInterval = 30,
                replayCache: NonceReplayCache = NonceReplayCache(),
                passportCache: VerifiedPassportCache = VerifiedPassportCache()) {
        precondition(skew >= 0 && passportLeeway >= 0, "skew and leeway are non-negative numbers of seconds")
        self.trustedIssuers = trustedIssuers
        self.skew = skew
        self.passportLeeway = passportLeeway
        self.replayCache = replayCache
        self.passportCache = passportCache
    }

    /// The `Agent-Passport` header's field name.
    public static let passportHeaderName = "Agent-Passport"

    /// Verifies one request.
    ///
    /// - Parameters:
    ///   - method: the request method (upper-cased for the message).
    ///   - target: path and query exactly as in the request line.
    ///   - signature: the `Agent-Signature` value; several header lines must be passed
    ///     combined with `, ` (RFC 9110 §5.3), which then fails as a duplicate parameter.
    ///   - passport: the `Agent-Passport` value (a compact JWT passport).
    ///   - body: the raw body bytes (empty for none).
    ///   - minimumLevel: the operation's minimum (the `AgentTrust: [L3]` scope); nil
    ///     checks no level and leaves the decision to the caller (``VerifiedAgent/level``).
    public func verify(method: String, target: String, signature: String?, passport: String?,
                       body: some Sequence<UInt8>, now: Date = Date(), minimumLevel: TrustLevel? = nil)
        async throws(AgentSignatureFailure) -> VerifiedAgent {
        guard let signature else {
            throw AgentSignatureFailure(.malformedHeader, "the request has no Agent-Signature header; sign it as "
                + "wire-formats §5 says (`herald sign-request` prints one)")
        }
        let header: AgentSignatureHeader
        do { header = try AgentSignatureHeader(parsing: signature) } catch {
            throw AgentSignatureFailure(.malformedHeader, "Agent-Signature: \(error.reason)", headerError: error)
        }
        guard let passportText = passport.map({ String($0[...].trimmingBlanks) }), !passportText.isEmpty else {
            throw AgentSignatureFailure(.missingPassport, "the request has no Agent-Passport header; send the agent's "
                + "JWT passport ({issuer}/agents/{id}/passport?format=jwt) with every signed request")
        }
        guard let algorithm = SigningAlgorithm(rawValue: header.algorithm) else {
            throw AgentSignatureFailure(.unsupportedAlgorithm, "alg \(header.algorithm) is not accepted; sign with ES256 "
                + "(or EdDSA for an Ed25519 passport key)")
        }
        let drift = now.timeIntervalSince1970 - TimeInterval(header.timestamp)
        guard abs(drift) <= skew else {
            throw AgentSignatureFailure(.staleTimestamp, "ts \(header.timestamp) is \(Int(abs(drift).rounded())) s "
                + (drift > 0 ? "in the past" : "in the future") + "; at most \(Int(skew)) s is accepted: "
                + "sign each request when it is sent, with a synchronized clock")
        }
        let verified = try await verifiedPassport(passportText, now: now)
        let agentKey = verified.agentKey
        guard header.keyID == agentKey.thumbprint || (agentKey.declaredKID != nil && header.keyID == agentKey.declaredKID)
        else {
            throw AgentSignatureFailure(.keyMismatch, "keyid \(header.keyID) is not the passport's key (cnf.jwk "
                + "thumbprint \(agentKey.thumbprint)); sign with the key the passport was issued for")
        }
        guard agentKey.algorithm == algorithm else {
            throw AgentSignatureFailure(.unsupportedAlgorithm, "alg \(header.algorithm) does not fit the passport's "
                + "key, which signs \(agentKey.algorithm.rawValue)")
        }
        let message = AgentSignatureMessage(method: method, target: target, timestamp: header.timestamp,
                                            nonce: header.nonce, body: body)
        guard message.isWellFormed, Self.isValid(header.signature, of: message.bytes, by: agentKey) else {
            throw AgentSignatureFailure(.badSignature, "the signature does not verify over this request; sign the "
                + "method, the target exactly as sent, ts, nonce and the SHA-256 of the body as sent (wire-formats §5)")
        }
        switch replayCache.record(agentKey.thumbprint + " " + header.nonce,
                                  expiresAt: header.timestamp + Int64(skew.rounded(.up)),
                                  now: Int64(now.timeIntervalSince1970.rounded(.down))) {
        case .fresh: break
        case .replayed:
            throw AgentSignatureFailure(.replayedNonce, "nonce \(header.nonce) was already used; every request "
                + "needs a new random nonce")
        case .full:
            throw AgentSignatureFailure(.replayCacheFull, "the relying party's replay cache is full; try again shortly")
        }
        let agent = VerifiedAgent(passport: verified, header: header)
        if let minimumLevel, agent.level < minimumLevel {
            throw AgentSignatureFailure(.insufficientTrust, Self.insufficient(agent, minimum: minimumLevel))
        }
        return agent
    }

    /// The passport for `token`: cached, or verified now with its issuer's keys.
    private func verifiedPassport(_ token: String, now: Date) async throws(AgentSignatureFailure) -> VerifiedPassport {
        if let cached = passportCache.passport(for: token, now: now) { return cached }
        let unverified: UnverifiedJWS
        do { unverified = try UnverifiedJWS(compact: token) } catch {
            let reason = (error as? JOSEError)?.reason ?? "\(error)"
            throw AgentSignatureFailure(.passportInvalid, "Agent-Passport is not a compact JWT passport: \(reason)",
                                        passportError: PassportVerificationError(.malformed, reason))
        }
        // Read before verification only to choose whose keys to verify with.
        guard let issuer = (try? JCSParser.parse(unverified.unverifiedPayload))?["iss"]?.stringValue else {
            throw AgentSignatureFailure(.passportInvalid, "the passport has no string iss",
                                        passportError: PassportVerificationError(.malformed, "no string iss"))
        }
        guard let source = trustedIssuers[issuer] else {
            throw AgentSignatureFailure(.unknownIssuer, "the passport's issuer \(issuer) is not trusted here; "
                + "trusted: \(trustedIssuers.keys.sorted().joined(separator: ", "))")
        }
        let key: PublicJWK
        do { key = try await source.key(for: unverified.header.kid) } catch {
            if error.isUnavailable {
                throw AgentSignatureFailure(.issuerUnavailable, "the keys of \(issuer) cannot be had now (\(error.reason)); "
                    + "try again shortly")
            }
            throw AgentSignatureFailure(.passportInvalid, "passport: \(error.reason)",
                                        passportError: PassportVerificationError(.unknownKey, error.reason))
        }
        let passport: VerifiedPassport
        do {
            passport = try PassportVerifier(keys: [key], issuer: issuer, leeway: passportLeeway).verifyJWT(token, now: now)
        } catch {
            throw AgentSignatureFailure(.passportInvalid, "passport: \(error.reason)", passportError: error)
        }
        passportCache.insert(passport, for: token, until: passport.expiresAt.addingTimeInterval(passportLeeway), now: now)
        return passport
    }

    /// One ES256 (r‖s, either half of s) or Ed25519 verification.
    static func isValid(_ signature: [UInt8], of message: [UInt8], by key: PublicJWK) -> Bool {
        guard signature.count == 64 else { return false }
        switch key.material {
        case .p256(let publicKey):
            guard let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return publicKey.isValidSignature(parsed, for: message)
        case .ed25519(let publicKey):
            return publicKey.isValidSignature(signature, for: message)
        }
    }

    private static func insufficient(_ agent: VerifiedAgent, minimum: TrustLevel) -> String {
        let basis = if let claimed = agent.claimedLevel, claimed != agent.passportLevel {
            "the lower of trust \(claimed) and the passport's \(agent.passportLevel)"
        } else {
            "the passport's \(agent.passportLevel)"
        }
        return "this operation needs \(minimum); the request acts at \(agent.level) (\(basis))"
    }
}

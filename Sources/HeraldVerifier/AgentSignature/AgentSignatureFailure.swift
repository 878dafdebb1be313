/// Why a signed agent request was refused (wire-formats §5). ``reason`` is what a relying
/// party branches on (and may show the caller); ``message`` says what was wrong and what
/// to do, and never holds the signature, the passport or the body.
public struct AgentSignatureFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// One code per kind of refusal. The raw value is the snake_case name a middleware
    /// puts in its answer.
    public enum Reason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// No `Agent-Signature` header, or one that does not parse (``detail`` says how).
        case malformedHeader = "malformed_header"
        /// No `Agent-Passport` header.
        case missingPassport = "missing_passport"
        /// The passport does not verify with its issuer's keys, has expired, is not a JWT
        /// passport… (``passportError`` says which).
        case passportInvalid = "passport_invalid"
        /// The passport's `iss` is not one of the verifier's trusted issuers.
        case unknownIssuer = "unknown_issuer"
        /// The trusted issuer's keys cannot be had right now (JWKS endpoint down): try again.
        case issuerUnavailable = "issuer_unavailable"
        /// `keyid` is not the passport's `cnf.jwk`: the request was signed with another key.
        case keyMismatch = "key_mismatch"
        /// The signature does not verify over the request as received: method, target,
        /// ts, nonce or body differ from what was signed, or another key signed.
        case badSignature = "bad_signature"
        /// `ts` is further from the verifier's clock than the skew window.
        case staleTimestamp = "stale_timestamp"
        /// The nonce was already used (by this key) inside the skew window.
        case replayedNonce = "replayed_nonce"
        /// The replay cache is full of unexpired nonces; refused rather than forgetting
        /// one (``NonceReplayCache``): try again later.
        case replayCacheFull = "replay_cache_full"
        /// The effective level (lower of `trust` and the passport's `trust_level`) is below
        /// the operation's minimum.
        case insufficientTrust = "insufficient_trust"
        /// `alg` is neither ES256 nor EdDSA, or does not fit the passport's key.
        case unsupportedAlgorithm = "unsupported_algorithm"

        public var description: String { rawValue }
    }

    public let reason: Reason
    /// One line: what was wrong and what to do.
    public let message: String
    /// The parse error behind a ``Reason/malformedHeader``.
    public let headerError: AgentSignatureHeaderError?
    /// The passport refusal behind a ``Reason/passportInvalid``.
    public let passportError: PassportVerificationError?

    public init(_ reason: Reason, _ message: String, headerError: AgentSignatureHeaderError? = nil,
                passportError: PassportVerificationError? = nil) {
        self.reason = reason
        self.message = message
        self.headerError = headerError
        self.passportError = passportError
    }

    public var description: String { "\(reason): \(message)" }
}

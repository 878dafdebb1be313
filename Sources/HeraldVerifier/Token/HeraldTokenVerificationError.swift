/// Why a Herald access token was refused, with a code a relying party can branch on and a
/// reason a person can act on. The reason never contains the token.
public struct HeraldTokenVerificationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of refusal; extensible. ``name`` is the wire form (the middleware's `reason`).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The code's wire name (`expired`, `revoked`, …).
        public let name: String
        /// A code named `name`.
        public init(_ name: String) { self.name = name }
        /// The wire name.
        public var description: String { name }

        /// Not a compact JWS with a JSON header and claims, or a claim missing or mistyped.
        public static let malformed = Code("malformed")
        /// `alg` is `none`, an HMAC or anything other than the key's own algorithm.
        public static let unsupportedAlgorithm = Code("unsupported_algorithm")
        /// The signature does not verify with the key the `kid` names.
        public static let badSignature = Code("bad_signature")
        /// The issuer's JWKS holds no key with the token's `kid` (after one re-fetch).
        public static let unknownKey = Code("unknown_key")
        /// `iss` is not the configured issuer.
        public static let wrongIssuer = Code("wrong_issuer")
        /// `aud` does not contain the configured audience.
        public static let wrongAudience = Code("wrong_audience")
        /// `exp` has passed (beyond the allowed clock skew).
        public static let expired = Code("expired")
        /// `nbf` (or `iat`) lies in the future (beyond the allowed clock skew).
        public static let notYetValid = Code("not_yet_valid")
        /// The header's `typ` is not `at+jwt` (an ID token, a passport, a status list…).
        public static let wrongType = Code("wrong_type")
        /// The token's status list entry is INVALID (revoked).
        public static let revoked = Code("revoked")
        /// The token's status list entry is SUSPENDED (the agent or its organisation is killed).
        public static let suspended = Code("suspended")
        /// The `mcps.trust_level` is below the level the operation requires.
        public static let insufficientTrust = Code("insufficient_trust")
        /// The issuer's JWKS could not be fetched: the relying party's temporary failure.
        public static let jwksUnavailable = Code("jwks_unavailable")
        /// The status list could not be fetched or verified: the check fails closed.
        public static let statusUnavailable = Code("status_unavailable")
    }

    /// The kind of refusal.
    public let code: Code
    /// One line for people and logs: what was wrong and, where it helps, what to do.
    public let reason: String

    /// An error of kind `code` explained by `reason`.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// True when the relying party could not check the token (JWKS or status list
    /// unavailable): answer 503 and let the client retry, rather than 401.
    public var isTemporary: Bool { code == .jwksUnavailable || code == .statusUnavailable }

    /// `code: reason`, for logs.
    public var description: String { "\(code): \(reason)" }
}

/// Why a key could not be had from a JWKS: the endpoint failed (unreachable, non-200,
/// not a JWKS, too large), or it answered but holds no key with the `kid` asked for.
///
/// The two families call for different answers: a relying party refuses a token whose key
/// is unknown (401, ``Code-swift.struct/unknownKey``) but reports a key-set outage as its own
/// temporary failure (503, ``isUnavailable``).
public struct JWKSFetchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure; extensible.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The code's wire name (`jwks_unreachable`, …).
        public let name: String
        /// A code named `name`.
        public init(_ name: String) { self.name = name }
        /// The wire name.
        public var description: String { name }

        /// No answer: connection refused, DNS failure, TLS failure or timeout.
        public static let unreachable = Code("jwks_unreachable")
        /// An answer with a status other than 200 (or 304 to a conditional request).
        public static let badStatus = Code("jwks_bad_status")
        /// A 200 whose body is not a JWKS `{"keys":[…]}` with at least one usable key.
        public static let malformed = Code("jwks_malformed")
        /// A body larger than the configured bound.
        public static let tooLarge = Code("jwks_too_large")
        /// The key set was fetched (and re-fetched, as the rate limit allows) and holds no
        /// key with the requested `kid`.
        public static let unknownKey = Code("unknown_key")
    }

    /// The kind of failure.
    public let code: Code
    /// One line for people and logs: what failed, at which URL, and what to check.
    public let reason: String

    /// An error of kind `code` explained by `reason`.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// True when the key set itself could not be had (every code but `unknownKey`): the
    /// relying party's temporary failure rather than the presenter's fault.
    public var isUnavailable: Bool { code != .unknownKey }

    /// `code: reason`, for logs.
    public var description: String { "\(code): \(reason)" }
}

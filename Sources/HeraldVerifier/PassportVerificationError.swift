/// Why a passport was refused, in words a relying party can act on ("expired at …",
/// "typ is at+jwt, expected agent-passport+jwt", …).
public struct PassportVerificationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of refusal; extensible.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Not a passport in either format, or a member missing or of the wrong type.
        public static let malformed = Code("malformed")
        /// A JWT whose `typ` is not `agent-passport+jwt`.
        public static let wrongType = Code("wrong_type")
        /// An algorithm other than the keys' own (`none`, HMAC, …).
        public static let unsupportedAlgorithm = Code("unsupported_algorithm")
        /// The JWT names a `kid` the key set does not hold, or no key fits the algorithm.
        public static let unknownKey = Code("unknown_key")
        /// The signature does not verify.
        public static let badSignature = Code("bad_signature")
        /// Past its expiry.
        public static let expired = Code("expired")
        /// Issued in the future (beyond the allowed clock skew).
        public static let notYetValid = Code("not_yet_valid")
        /// Issued by someone other than the expected issuer.
        public static let wrongIssuer = Code("wrong_issuer")
    }

    public let code: Code
    /// One line, for people and logs.
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}

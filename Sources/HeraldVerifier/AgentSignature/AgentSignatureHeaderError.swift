/// Why an `Agent-Signature` header value (wire-formats §5) could not be read. Each code
/// names one mistake, so a signer's author sees exactly what to fix.
public struct AgentSignatureHeaderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of mistake; extensible.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The value is empty, or longer than ``AgentSignatureHeader/maximumLength``.
        public static let length = Code("length")
        /// Not `name="value"` pairs separated by commas: a missing `=`, an unquoted or
        /// unterminated value, a backslash escape, a character outside visible ASCII.
        public static let badQuoting = Code("bad_quoting")
        /// A parameter other than keyid, alg, ts, nonce, trust and sig.
        public static let unknownParameter = Code("unknown_parameter")
        /// A parameter named twice (also what two combined header lines look like).
        public static let duplicateParameter = Code("duplicate_parameter")
        /// keyid, alg, ts, nonce or sig is absent.
        public static let missingParameter = Code("missing_parameter")
        /// keyid or alg is empty.
        public static let emptyValue = Code("empty_value")
        /// ts is not unix seconds in decimal digits without a sign or leading zeros.
        public static let invalidTimestamp = Code("invalid_timestamp")
        /// nonce is not 16 to 256 hexadecimal digits.
        public static let invalidNonce = Code("invalid_nonce")
        /// trust is not L0 … L4.
        public static let invalidTrust = Code("invalid_trust")
        /// sig is not standard padded base64 of a 64-byte signature (ES256 r‖s or Ed25519).
        public static let invalidSignature = Code("invalid_signature")
    }

    public let code: Code
    /// One line, for people and logs; never holds the signature or the passport.
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}

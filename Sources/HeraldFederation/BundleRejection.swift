/// Why a trust bundle or entity statement from a peer was refused (wire-formats §7).
///
/// The `message` names what was wrong in one line, for the peer status, the log and the
/// audit entry ("bundle sequence 7 is not newer than the last accepted 9"). The last good
/// bundle stays in force whatever the code.
public struct BundleRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of refusal; extensible without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// A short snake_case name, stable for logs, metrics and peer status.
        public let name: String
        /// A code named `name`.
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Not a compact JWS, or a payload that is not the bundle format.
        public static let malformed = Code("malformed")
        /// Larger than the size limit; refused before any parsing.
        public static let oversized = Code("oversized")
        /// The JWS `typ` is not the one expected (`trust-bundle+jwt`, `entity-statement+jwt`).
        public static let wrongType = Code("wrong_type")
        /// Signed by a key that is neither pinned nor announced by an earlier verified bundle.
        public static let unpinnedKey = Code("unpinned_key")
        /// The signature does not verify (tampered), or its algorithm is not the key's.
        public static let badSignature = Code("bad_signature")
        /// `iss` (or `sub`) is not the peer's entity.
        public static let issuerMismatch = Code("issuer_mismatch")
        /// `sequence` is not greater than the last accepted one.
        public static let replayed = Code("replayed")
        /// `exp` has passed.
        public static let expired = Code("expired")
        /// A delta relative to a sequence other than the one applied: fetch a full bundle.
        public static let deltaBaseMismatch = Code("delta_base_mismatch")
    }

    /// What kind of refusal.
    public let code: Code
    /// One line for operators and logs.
    public let message: String

    /// A refusal with `code` and a one-line `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

/// An error from Herald's core and adapters. The `message` is for operators and logs; what a
/// client sees is decided at the protocol edge (`OAuthError`).
public struct HeraldError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure; extensible without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let notFound = Code("not_found")
        public static let invalidConfiguration = Code("invalid_configuration")
        public static let conflict = Code("conflict")
        public static let storage = Code("storage")
        public static let crypto = Code("crypto")
        public static let invalidKey = Code("invalid_key")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

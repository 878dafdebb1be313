/// Why a JOSE object was refused. The description is for logs, never for clients.
public struct JOSEError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let malformed = Code("malformed")
        public static let unsupportedAlgorithm = Code("unsupported_algorithm")
        public static let algorithmKeyMismatch = Code("algorithm_key_mismatch")
        public static let unknownKey = Code("unknown_key")
        public static let badSignature = Code("bad_signature")
        public static let invalidKey = Code("invalid_key")
        public static let sealing = Code("sealing")
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }
}

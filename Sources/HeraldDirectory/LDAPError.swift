import HeraldCore

/// A failed LDAP operation: the result code, libldap's text for it, and the server's
/// diagnostic message (`LDAP_OPT_DIAGNOSTIC_MESSAGE`), which usually says what is wrong.
public struct LDAPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The LDAP result code (RFC 4511 §4.1.9) or libldap's negative client code.
    public let code: Int32
    /// What was being done: `connect`, `start_tls`, `bind`, `search`.
    public let operation: String
    /// `ldap_err2string(code)`.
    public let message: String
    /// The server's (or TLS library's) diagnostic text; may be empty.
    public let diagnostic: String

    public init(code: Int32, operation: String, message: String, diagnostic: String = "") {
        self.code = code
        self.operation = operation
        self.message = message
        self.diagnostic = diagnostic
    }

    public var description: String {
        "LDAP \(operation) failed: \(message) (\(code))" + (diagnostic.isEmpty ? "" : ": \(diagnostic)")
    }

    /// Result codes, named as in RFC 4511 and `ldap.h`.
    public enum Code {
        public static let success: Int32 = 0
        public static let timeLimitExceeded: Int32 = 3
        public static let sizeLimitExceeded: Int32 = 4
        public static let noSuchObject: Int32 = 32
        public static let invalidCredentials: Int32 = 49
        public static let busy: Int32 = 51
        public static let unavailable: Int32 = 52
        public static let unwillingToPerform: Int32 = 53
        public static let serverDown: Int32 = -1
        public static let localError: Int32 = -2
        public static let timeout: Int32 = -5
        public static let filterError: Int32 = -7
        public static let paramError: Int32 = -9
        public static let connectError: Int32 = -11
    }

    /// True when the directory could not be reached or did not answer: retrying later may
    /// work, and the request must fail closed (or be served stale) meanwhile.
    public var isUnavailable: Bool {
        [Code.serverDown, Code.timeout, Code.connectError, Code.busy, Code.unavailable, Code.timeLimitExceeded]
            .contains(code)
    }

    /// The same failure in Herald's terms: ``HeraldError/Code/directoryUnavailable`` for
    /// outages, ``HeraldError/Code/invalidConfiguration`` otherwise.
    public var heraldError: HeraldError {
        HeraldError(isUnavailable ? .directoryUnavailable : .invalidConfiguration, description)
    }
}

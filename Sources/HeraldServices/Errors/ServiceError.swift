/// Why a domain service refused or failed a request, in terms a protocol layer can render.
///
/// The domain never speaks HTTP: the HTTP module maps each ``Code`` to its OAuth `error`
/// code and status in one place (`ServiceError+OAuth.swift` in HeraldServer). `message` is
/// what the client is told (the `error_description`), deliberately generic where detail would
/// help an attacker; `reason` is the internal explanation for the log, metrics and the audit
/// entry, and never reaches a client.
package struct ServiceError: Error, Sendable, CustomStringConvertible {
    /// What kind of refusal; extensible without breaking callers.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        package let name: String
        package init(_ name: String) { self.name = name }
        package var description: String { name }

        /// The request is malformed or misses a parameter (RFC 6749 §5.2).
        package static let invalidRequest = Code("invalid_request")
        /// Client authentication failed; ``ServiceError/realm`` names the realm to authenticate to.
        package static let invalidClient = Code("invalid_client")
        /// Client authentication is refused unchecked during a brute-force lockout; see
        /// ``ServiceError/retryAfterSeconds``.
        package static let lockedOut = Code("locked_out")
        /// A per-caller rate is used up; see ``ServiceError/retryAfterSeconds``.
        package static let rateLimited = Code("rate_limited")
        /// A presented grant (a subject token) is invalid, expired or revoked.
        package static let invalidGrant = Code("invalid_grant")
        package static let invalidScope = Code("invalid_scope")
        /// The authenticated client may not obtain what it asked for.
        package static let unauthorizedClient = Code("unauthorized_client")
        package static let accessDenied = Code("access_denied")
        /// A dependency (store, directory, remote JWKS) is unavailable; retrying may succeed.
        package static let temporarilyUnavailable = Code("temporarily_unavailable")
        /// A server fault (signing failed).
        package static let serverError = Code("server_error")
        /// A lifecycle transition that skips or repeats a pipeline stage.
        package static let stageSkip = Code("stage_skip")
        /// A promotion to a stage that needs the agent's code hash, without one on record.
        package static let codeHashMissing = Code("code_hash_missing")
        /// The realm's signing key has an algorithm this operation cannot use.
        package static let unsupportedAlgorithm = Code("unsupported_algorithm")
        package static let notFound = Code("not_found")
        /// The change was prepared against a state that has changed since (two concurrent
        /// edits); retrying from the current state may succeed.
        package static let conflict = Code("conflict")
    }

    package let code: Code
    /// What the client is told.
    package let message: String
    /// The internal explanation (log, metrics, audit); `message` when there is nothing more.
    package let reason: String
    /// For ``Code/invalidClient``: the realm a client authenticates to (named in the challenge).
    package let realm: String?
    /// For ``Code/lockedOut`` and ``Code/rateLimited``: when to retry, in whole seconds.
    package let retryAfterSeconds: Int?

    package init(_ code: Code, _ message: String, reason: String? = nil, realm: String? = nil,
                         retryAfterSeconds: Int? = nil) {
        self.code = code
        self.message = message
        self.reason = reason ?? message
        self.realm = realm
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The message, as for `OAuthError`: what the client is told (log `reason` for the cause).
    package var description: String { message }

    package static func invalidRequest(_ message: String) -> ServiceError { ServiceError(.invalidRequest, message) }

    /// Client authentication failed. The message is the same for every cause; `reason` keeps
    /// the cause for the log.
    package static func invalidClient(realm: String, reason: String) -> ServiceError {
        ServiceError(.invalidClient, "client authentication failed", reason: reason, realm: realm)
    }

    /// A dependency failed; `message` says what could not be done and that a retry may work.
    package static func unavailable(_ message: String, reason: String) -> ServiceError {
        ServiceError(.temporarilyUnavailable, message, reason: reason)
    }
}

import Hummingbird

extension OAuthError {
    /// RFC 6749 §5.2 `temporarily_unavailable`: the one place the code is spelled, so that a
    /// check for it (the token endpoint does not audit its own outages as denials) and every
    /// 503 agree.
    public static let temporarilyUnavailableCode = "temporarily_unavailable"

    /// 503 `temporarily_unavailable`: something the answer depends on (the audit log, the
    /// store, a directory, a signing key) cannot be had now; `description` tells the client
    /// what and to retry, `reason` keeps the cause for the log.
    public static func temporarilyUnavailable(_ description: String, reason: String? = nil) -> OAuthError {
        OAuthError(status: .serviceUnavailable, code: temporarilyUnavailableCode, description: description,
                   reason: reason)
    }

    /// Whether this is a 503 ``temporarilyUnavailable(_:reason:)``.
    public var isTemporarilyUnavailable: Bool { code == Self.temporarilyUnavailableCode }
}

import HeraldServices
import Hummingbird

/// The one place a domain refusal becomes what the client sees: the OAuth `error` code, the
/// status, the `WWW-Authenticate` challenge and `Retry-After` (RFC 6749 §5.2, RFC 9110).
extension OAuthError {
    package init(_ error: ServiceError) {
        let status: HTTPResponse.Status
        var code = error.code.name
        var challenge: String?
        switch error.code {
        case .invalidClient:
            status = .unauthorized
            challenge = error.realm.map { "Basic realm=\"\($0)\", charset=\"UTF-8\"" }
        case .lockedOut:
            // RFC 6749 has no lockout code: the client sees invalid_client, with when to retry.
            status = .tooManyRequests
            code = ServiceError.Code.invalidClient.name
        case .rateLimited: status = .tooManyRequests
        case .invalidRequest, .invalidGrant, .invalidScope, .unauthorizedClient: status = .badRequest
        case .accessDenied: status = .forbidden
        case .notFound: status = .notFound
        case .stageSkip, .codeHashMissing, .unsupportedAlgorithm, .conflict: status = .conflict
        case .temporarilyUnavailable: status = .serviceUnavailable
        default: status = .internalServerError
        }
        self.init(status: status, code: code, description: error.message, reason: error.reason,
                  authenticateChallenge: challenge)
        retryAfterSeconds = error.retryAfterSeconds
    }

    /// `error` as the client sees it when it is a protocol error: an `OAuthError` as it is, a
    /// ``ServiceError`` through the mapping above; nil for anything else (a 500).
    package static func from(_ error: any Error) -> OAuthError? {
        if let error = error as? OAuthError { return error }
        if let error = error as? ServiceError { return OAuthError(error) }
        return nil
    }
}

/// A ``ServiceError`` thrown out of a route renders through the mapping, so endpoints need no
/// conversion of their own.
extension ServiceError: HTTPResponseError {
    package var status: HTTPResponse.Status { OAuthError(self).status }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        try OAuthError(self).response(from: request, context: context)
    }
}

import Foundation
import HeraldAPI
import Hummingbird

/// A protocol error as the client sees it: RFC 6749 §5.2 JSON with the RFC's status code.
///
/// `reason` is the internal explanation: it goes to the log and metrics, never to the
/// client, whose `error_description` is deliberately generic where detail would help an
/// attacker (which part of a client credential was wrong).
public struct OAuthError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let description: String
    public let reason: String
    /// Set for invalid_client when the client tried HTTP authentication (RFC 6749 §5.2).
    public var authenticateChallenge: String?
    /// Sent as `Retry-After` (RFC 9110 §10.2.3), in seconds: with 429 from the brute-force
    /// and rate limits.
    public var retryAfterSeconds: Int?

    public init(status: HTTPResponse.Status, code: String, description: String, reason: String? = nil,
                authenticateChallenge: String? = nil) {
        self.status = status
        self.code = code
        self.description = description
        self.reason = reason ?? description
        self.authenticateChallenge = authenticateChallenge
    }

    public static func invalidRequest(_ description: String) -> OAuthError {
        OAuthError(status: .badRequest, code: "invalid_request", description: description)
    }

    /// 401 invalid_client with a challenge naming the realm. The description is the same for
    /// every cause; `reason` keeps the cause for the log.
    public static func invalidClient(realm: String, reason: String) -> OAuthError {
        OAuthError(status: .unauthorized, code: "invalid_client", description: "client authentication failed",
                   reason: reason, authenticateChallenge: "Basic realm=\"\(realm)\", charset=\"UTF-8\"")
    }

    /// 429: a brute-force lockout or a rate limit; `description` says which and when to retry.
    public static func tooManyRequests(code: String, description: String, retryAfter seconds: Int, reason: String)
        -> OAuthError
    {
        var error = OAuthError(status: .tooManyRequests, code: code, description: description, reason: reason)
        error.retryAfterSeconds = seconds
        return error
    }

    public static func notFound(_ description: String) -> OAuthError {
        OAuthError(status: .notFound, code: "not_found", description: description)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        if let authenticateChallenge { headers[.wwwAuthenticate] = authenticateChallenge }
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        let body = try JSONEncoder().encode(OAuthErrorBody(error: code, errorDescription: description))
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

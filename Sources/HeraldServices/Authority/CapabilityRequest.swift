import Foundation
import HeraldCore
import HeraldJOSE

/// A capability request at the token endpoint (docs/action-authority.md): an RFC 8693 token
/// exchange whose form carries `authorization_details` (RFC 9396 §6), with exactly one
/// authorization details object naming one action on one resource, and optionally
/// `capability_ttl` (seconds, at most the realm's `capabilities.max_lifetime`).
package struct CapabilityRequest: Sendable {
    /// The `requested_token_type` a capability request may name (it may also leave it out).
    package static let tokenType = "urn:herald:params:oauth:token-type:capability"
    /// `issued_token_type` of the answer: a JWT, but not an access token.
    package static let issuedTokenType = "urn:ietf:params:oauth:token-type:jwt"
    /// The JWS `typ` of a capability token; never `at+jwt`, so that no resource server takes
    /// one for an access token.
    package static let jwtType = "capability+jwt"

    package let detail: AuthorizationDetail
    /// The lifetime asked for; nil takes the realm's `capabilities.lifetime`.
    package let ttl: Int?

    /// Is this token-exchange form a capability request?
    package static func isCapabilityRequest(_ form: [String: String]) -> Bool {
        form["authorization_details"] != nil || form["requested_token_type"] == tokenType
    }

    /// The form's capability parameters, checked against the realm's bounds.
    package static func parse(_ form: [String: String], settings: CapabilitySettings) throws(ServiceError)
        -> CapabilityRequest
    {
        guard let text = form["authorization_details"] else {
            throw .invalidRequest("authorization_details is missing: a capability request names one action on one "
                                  + "resource, e.g. [{\"type\":\"payment\",\"actions\":[\"initiate\"],\"locations\":"
                                  + "[\"https://payments.example\"],\"identifier\":\"invoice-42\"}]")
        }
        if let requested = form["requested_token_type"], requested != tokenType {
            throw .invalidRequest("requested_token_type must be \(tokenType) (or absent) with authorization_details")
        }
        let detail = try AuthorizationDetailParser.parse(text)
        var ttl: Int?
        if let value = form["capability_ttl"] {
            guard let seconds = Int(value), seconds >= 1 else {
                throw .invalidRequest("capability_ttl must be a whole number of seconds, at least 1")
            }
            guard seconds <= settings.maxLifetimeSeconds else {
                throw .invalidRequest("capability_ttl \(seconds) exceeds the realm's capabilities.max_lifetime "
                                      + "(\(settings.maxLifetimeSeconds) s); ask for less")
            }
            ttl = seconds
        }
        return CapabilityRequest(detail: detail, ttl: ttl)
    }
}

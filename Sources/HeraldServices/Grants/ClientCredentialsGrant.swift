import HeraldCore

/// RFC 6749 §4.4: the client asks for a token for the agent it acts as.
package struct ClientCredentialsGrant: Sendable {
    package static let grantType = "client_credentials"

    /// The scopes to grant: all the client may have, or exactly the requested subset of them.
    package static func grantedScopes(requested: String?, allowed: [String]) throws(ServiceError) -> [String] {
        guard let requested else { return allowed }
        let asked = requested.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let refused = asked.filter { !allowed.contains($0) }
        guard refused.isEmpty else {
            throw ServiceError(.invalidScope,
                               "scope not allowed for this client: \(refused.joined(separator: " "))")
        }
        // Keep the order of the level table, without repeats.
        return allowed.filter(asked.contains)
    }
}

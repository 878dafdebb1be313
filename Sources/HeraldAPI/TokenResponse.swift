/// RFC 6749 §5.1 successful token response.
public struct TokenResponse: Sendable, Hashable, Codable {
    public var accessToken: String
    public var tokenType: String
    public var expiresIn: Int
    public var scope: String?

    public init(accessToken: String, tokenType: String = "Bearer", expiresIn: Int, scope: String?) {
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.expiresIn = expiresIn
        self.scope = scope
    }

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case scope
    }
}

/// RFC 6749 §5.2 error response body; also the body of every other Herald JSON error.
public struct OAuthErrorBody: Sendable, Hashable, Codable {
    public var error: String
    public var errorDescription: String?

    public init(error: String, errorDescription: String?) {
        self.error = error
        self.errorDescription = errorDescription
    }

    enum CodingKeys: String, CodingKey {
        case error
        case errorDescription = "error_description"
    }
}

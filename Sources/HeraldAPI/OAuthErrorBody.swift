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

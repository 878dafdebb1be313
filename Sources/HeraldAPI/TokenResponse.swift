import HeraldCore

/// RFC 6749 §5.1 successful token response; a token exchange adds RFC 8693 §2.2.1
/// `issued_token_type`.
public struct TokenResponse: Sendable, Hashable, Codable {
    public var accessToken: String
    public var issuedTokenType: String?
    public var tokenType: String
    public var expiresIn: Int
    public var scope: String?

    public init(accessToken: String, issuedTokenType: String? = nil, tokenType: String = "Bearer", expiresIn: Int,
                scope: String?) {
        self.accessToken = accessToken
        self.issuedTokenType = issuedTokenType
        self.tokenType = tokenType
        self.expiresIn = expiresIn
        self.scope = scope
    }

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case issuedTokenType = "issued_token_type"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case scope
    }

    /// The JSON body, written directly rather than through `JSONEncoder`: it is four members
    /// on the server's hottest path. The same members as the `Codable` form.
    public var json: [UInt8] {
        var writer = JSONWriter(capacity: accessToken.utf8.count + 160)
        writer.beginObject()
        writer.member(CodingKeys.accessToken.rawValue, accessToken)
        if let issuedTokenType { writer.member(CodingKeys.issuedTokenType.rawValue, issuedTokenType) }
        writer.member(CodingKeys.tokenType.rawValue, tokenType)
        writer.member(CodingKeys.expiresIn.rawValue, expiresIn)
        if let scope { writer.member(CodingKeys.scope.rawValue, scope) }
        writer.endObject()
        return writer.bytes
    }
}

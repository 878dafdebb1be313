/// The answer of `POST {issuer}/agents/{id}/passport?format=jwt` (wire-formats §4): the
/// JWT passport and its id (`asp_` + 32 lowercase hex).
public struct JWTPassportResponse: Sendable, Hashable, Codable {
    public var passport: String
    public var passportID: String

    public init(passport: String, passportID: String) {
        self.passport = passport
        self.passportID = passportID
    }

    enum CodingKeys: String, CodingKey {
        case passport
        case passportID = "passport_id"
    }
}

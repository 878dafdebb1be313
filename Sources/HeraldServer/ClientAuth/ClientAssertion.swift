import Foundation

/// The claims of an RFC 7523 client assertion, as decoded before they are checked.
struct ClientAssertionClaims: Decodable {
    var iss: String
    var sub: String
    var aud: Audience
    var exp: NumericDate
    var nbf: NumericDate?
    var iat: NumericDate?
    var jti: String

    /// `aud` may be one string or an array of strings (RFC 7519 §4.1.3).
    struct Audience: Decodable {
        var values: [String]
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let one = try? container.decode(String.self) { values = [one] } else {
                values = try container.decode([String].self)
            }
        }
    }

    /// Seconds since the epoch; JSON numbers only (a string is refused).
    struct NumericDate: Decodable {
        var date: Date
        init(from decoder: any Decoder) throws {
            date = Date(timeIntervalSince1970: try decoder.singleValueContainer().decode(Double.self))
        }
    }
}

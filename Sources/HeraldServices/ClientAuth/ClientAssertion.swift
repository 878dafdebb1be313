import Foundation

/// The claims of an RFC 7523 client assertion, as decoded before they are checked.
package struct ClientAssertionClaims: Decodable {
    package var iss: String
    package var sub: String
    package var aud: Audience
    package var exp: NumericDate
    package var nbf: NumericDate?
    package var iat: NumericDate?
    package var jti: String

    /// `aud` may be one string or an array of strings (RFC 7519 §4.1.3).
    package struct Audience: Decodable {
        package var values: [String]
        package init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let one = try? container.decode(String.self) { values = [one] } else {
                values = try container.decode([String].self)
            }
        }
    }

    /// Seconds since the epoch; JSON numbers only (a string is refused).
    package struct NumericDate: Decodable {
        package var date: Date
        package init(from decoder: any Decoder) throws {
            date = Date(timeIntervalSince1970: try decoder.singleValueContainer().decode(Double.self))
        }
    }
}

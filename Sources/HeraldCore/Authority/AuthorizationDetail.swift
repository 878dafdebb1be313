import Foundation

/// One RFC 9396 authorization details object as a capability token carries it: exactly one
/// action (`actions`, one entry) on one resource (`identifier`) of one resource server
/// (`locations`, one entry), with an amount and its currency for a payment.
///
/// A capability grants one thing so that its consumption means one thing: the resource
/// server that consumes it executes exactly this and nothing else.
public struct AuthorizationDetail: Sendable, Hashable, Codable {
    /// RFC 9396 §2 `type`: what kind of authorization this is (e.g. `payment`, `database`).
    public var type: String
    /// The one action (`actions[0]`).
    public var action: String
    /// The one resource server (`locations[0]`), an absolute URI; the token's `aud`.
    public var location: String
    /// The one resource at that server (`identifier`).
    public var identifier: String
    /// The amount as written, a decimal number (`"125.50"`), for a payment.
    public var amount: String?
    /// ISO 4217 code, with `amount`.
    public var currency: String?

    public init(type: String, action: String, location: String, identifier: String, amount: String? = nil,
                currency: String? = nil) {
        self.type = type
        self.action = action
        self.location = location
        self.identifier = identifier
        self.amount = amount
        self.currency = currency
    }

    /// `amount` as a number, for limits and policy conditions.
    public var amountValue: Decimal? { amount.flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) } }

    /// The RFC 9396 JSON form, members sorted (as it is signed into the token).
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("actions", strings: [action])
        if let amount { writer.member("amount", amount) }
        if let currency { writer.member("currency", currency) }
        writer.member("identifier", identifier)
        writer.member("locations", strings: [location])
        writer.member("type", type)
        writer.endObject()
    }
}

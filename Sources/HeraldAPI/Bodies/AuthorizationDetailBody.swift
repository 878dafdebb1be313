import HeraldCore

/// An ``AuthorizationDetail`` in its RFC 9396 wire form (`actions` and `locations` arrays).
public struct AuthorizationDetailBody: Sendable, Hashable, Codable {
    public var type: String
    public var actions: [String]
    public var locations: [String]
    public var identifier: String
    public var amount: String?
    public var currency: String?

    public init(_ detail: AuthorizationDetail) {
        type = detail.type
        actions = [detail.action]
        locations = [detail.location]
        identifier = detail.identifier
        amount = detail.amount
        currency = detail.currency
    }
}

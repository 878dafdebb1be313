/// An optional admin API member that is always written, as `null` when it has no value:
/// the API's answers name every member (docs/admin-api.md), where a synthesized `Encodable`
/// would leave a nil one out.
@propertyWrapper
package struct AdminNullable<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    package var wrappedValue: Value?

    package init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension KeyedDecodingContainer {
    /// A member left out reads as nil too (an older server's answer), not as an error.
    package func decode<Value>(_ type: AdminNullable<Value>.Type, forKey key: Key) throws -> AdminNullable<Value> {
        try decodeIfPresent(type, forKey: key) ?? AdminNullable(wrappedValue: nil)
    }
}

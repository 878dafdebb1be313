import Foundation

/// Any JSON value, for the few admin members whose shape the API does not fix (a client's
/// `jwks`, the realm-file sections an edit leaves alone) and for reading a body before its
/// type is known.
package enum AdminJSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([AdminJSONValue])
    case object([String: AdminJSONValue])

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([AdminJSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: AdminJSONValue].self))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The members of an object, else nil.
    package var object: [String: AdminJSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The text of a string, else nil.
    package var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

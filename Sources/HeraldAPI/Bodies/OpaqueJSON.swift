/// A JSON value Herald passes along without reading it as a typed body: the claims of a token
/// at introspection, an MCPS passport object presented at the MCP gate (re-serialized for its
/// signature check), a JWK sent for a passport, the details of a readiness check, and the admin
/// members whose shape the API does not fix (a client's `jwks`, the realm-file sections an edit
/// leaves alone).
///
/// Integers that fit 64 bits stay integers (the signed MCPS objects hold only integers up to
/// 2^53); other numbers are `Double`.
public enum OpaqueJSON: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([OpaqueJSON])
    case object([String: OpaqueJSON])

    public init(from decoder: any Decoder) throws {
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
        } else if let value = try? container.decode([OpaqueJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: OpaqueJSON].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
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

    /// The members, for an object.
    public var object: [String: OpaqueJSON]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The text, for a string.
    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value, for an integer.
    public var int: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }
}

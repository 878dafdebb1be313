import Foundation
import HeraldCore
import HeraldJOSE
import Hummingbird

/// JSON bodies of the admin API: bounded, parsed, and refused with a clear 400.
enum AdminJSON {
    static let maxBodyBytes = 1 << 20

    static func body(_ request: Request) async throws -> Data {
        var request = request
        do { return Data(try await request.collectBody(upTo: maxBodyBytes).readableBytesView) } catch {
            throw OAuthError(status: .contentTooLarge, code: "invalid_request",
                             description: "the request body exceeds \(maxBodyBytes) bytes")
        }
    }

    static func object(_ request: Request) async throws -> [String: Any] {
        let data = try await body(request)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw OAuthError.invalidRequest("the body must be a JSON object")
        }
        return object
    }

    /// ``object(_:)`` for a body that carries a signed object (an MCPS passport at the MCP
    /// gate): a member named twice anywhere is a 400. The object is re-serialized before
    /// its signature is checked, and `JSONSerialization` would silently keep one of two
    /// duplicates while other readers keep the other.
    static func objectWithUniqueMembers(_ request: Request) async throws -> [String: Any] {
        let data = try await body(request)
        do { try JCSParser.checkUniqueMemberNames(Array(data)) } catch {
            throw OAuthError.invalidRequest("the body must be a JSON object with unique member names: "
                                            + ((error as? JOSEError)?.reason ?? "\(error)"))
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw OAuthError.invalidRequest("the body must be a JSON object")
        }
        return object
    }

    /// A JSON object, or `[:]` for an empty body; anything else is a 400.
    static func optionalObject(_ request: Request) async throws -> [String: Any] {
        let data = try await body(request)
        if data.isEmpty { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw OAuthError.invalidRequest("the body must be a JSON object (or empty)")
        }
        return object
    }

    static func response(_ object: Any, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return .json(data, status: status, headers: [.cacheControl: "no-store"])
    }

    static func string(_ object: [String: Any], _ key: String, required: Bool = true) throws -> String? {
        switch object[key] {
        case let value as String where !value.isEmpty: return value
        case nil where !required: return nil
        default: throw OAuthError.invalidRequest("\(key) must be a non-empty string")
        }
    }

    static func strings(_ object: [String: Any], _ key: String) throws -> [String]? {
        guard let value = object[key] else { return nil }
        guard let list = value as? [String] else { throw OAuthError.invalidRequest("\(key) must be a list of strings") }
        return list
    }

    static func date(_ date: Date?) -> Any {
        guard let date else { return NSNull() }
        return ISO8601DateFormatter().string(from: date)
    }
}

import Foundation
import HeraldAPI
import HeraldJOSE
import Hummingbird

/// The JSON bodies of the public endpoints, decoded into their HeraldAPI types (bounded, and
/// refused with a 400 that names the member and what to send), and their JSON answers.
enum JSONBody {
    /// Largest accepted body; larger is 413.
    static let maxBodyBytes = 1 << 20

    /// What a body may be besides a JSON object of the type's members.
    enum Shape {
        /// A JSON object.
        case object
        /// A JSON object, or nothing (taken as `{}`).
        case objectOrEmpty
        /// A JSON object in which no member name appears twice at any depth: the body carries a
        /// signed object (an MCPS passport at the MCP gate) that is re-serialized before its
        /// signature is checked, and one reader could keep one of two duplicates, another the other.
        case objectWithUniqueMembers
    }

    /// The body of `request` as a `T`.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, shape: Shape = .object)
        async throws(OAuthError) -> T
    {
        var request = request
        let bytes: ByteBuffer
        do { bytes = try await request.collectBody(upTo: maxBodyBytes) } catch {
            throw OAuthError(status: .contentTooLarge, code: "invalid_request",
                             description: "the request body exceeds \(maxBodyBytes) bytes")
        }
        var data = Data(bytes.readableBytesView)
        switch shape {
        case .object: break
        case .objectOrEmpty: if data.isEmpty { data = Data("{}".utf8) }
        case .objectWithUniqueMembers:
            do { try JCSParser.checkUniqueMemberNames(Array(data)) } catch {
                throw .invalidRequest("the body must be a JSON object with unique member names: "
                                      + ((error as? JOSEError)?.reason ?? "\(error)"))
            }
        }
        return try decode(type, from: data, shape: shape)
    }

    /// `data` as a `T`: a ``BodyError`` is the type's own message; anything else is not a
    /// JSON object at all.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, shape: Shape = .object) throws(OAuthError) -> T {
        do { return try JSONDecoder().decode(type, from: data) } catch let error as BodyError {
            throw .invalidRequest(error.message)
        } catch {
            throw .invalidRequest(shape == .objectOrEmpty ? "the body must be a JSON object (or empty)"
                                                          : "the body must be a JSON object")
        }
    }

    /// `value` as a JSON answer: members in sorted order, `/` unescaped, not cached.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        .json(try encode(value), status: status, headers: [.cacheControl: "no-store"])
    }

    /// `value` as JSON text: members in sorted order (as the answers were before they were
    /// typed), `/` unescaped (PEM and URLs stay readable).
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}

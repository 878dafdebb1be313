import Foundation
import HeraldAPI
import Hummingbird

/// Admin API JSON bodies over HTTP: read bounded, decoded into their HeraldAPI types
/// (``AdminBodyDecoder``: a refusal is a 400 naming the member), answered as sorted JSON
/// that is never cached.
enum AdminBody {
    static let maxBodyBytes = 1 << 20

    /// The raw body; over ``maxBodyBytes`` is a 413.
    static func data(_ request: Request) async throws -> Data {
        var request = request
        do { return Data(try await request.collectBody(upTo: maxBodyBytes).readableBytesView) } catch {
            throw OAuthError(status: .contentTooLarge, code: "invalid_request",
                             description: "the request body exceeds \(maxBodyBytes) bytes")
        }
    }

    /// The body's members, for checks that come before its type (a replacement's id);
    /// `optional` takes an empty body as `{}`.
    static func members(_ request: Request, optional: Bool = false) async throws -> [String: OpaqueJSON] {
        let data = try await data(request)
        do { return try AdminBodyDecoder.members(of: data, optional: optional) } catch { throw invalid(error) }
    }

    /// The body as `Body`; `optional` takes an empty body as `{}`.
    static func decode<Body: AdminRequestBody>(_ type: Body.Type, _ request: Request, optional: Bool = false)
        async throws -> Body
    {
        try decode(type, from: await members(request, optional: optional))
    }

    static func decode<Body: AdminRequestBody>(_ type: Body.Type, from members: [String: OpaqueJSON]) throws -> Body {
        do { return try AdminBodyDecoder.decode(type, from: members) } catch { throw invalid(error) }
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return .json(try encoder.encode(value), status: status, headers: [.cacheControl: "no-store"])
    }

    /// RFC 3339 in whole seconds, as every admin time member is written.
    static func date(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    static func date(_ date: Date?) -> String? {
        date.map { ISO8601DateFormatter().string(from: $0) }
    }

    private static func invalid(_ error: AdminBodyError) -> OAuthError {
        OAuthError.invalidRequest(error.message)
    }
}

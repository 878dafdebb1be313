import Foundation
import HeraldServices
import HTTPTypes
import Hummingbird

/// The outermost middleware: gives every request an id (a valid incoming `X-Request-Id`, else
/// a new one), returns it in the response's `X-Request-Id`, binds it to the request's task
/// (``RequestRecord/current``: the `request.id` of every log line written meanwhile) and, once
/// the response is ready, writes the access log line.
///
/// Errors are turned into their responses here, so error responses carry the id too.
struct AccessLogMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    static var headerName: HTTPField.Name { HTTPField.Name(RequestID.header)! }

    let writer: AccessLogWriter?
    let limiter: AuthenticationLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        let record = RequestRecord(id: RequestID.resolve(request.headers[Self.headerName]))
        var context = context
        context.logger[metadataKey: "request.id"] = .string(record.id)
        var response: Response
        do {
            response = try await RequestRecord.$current.withValue(record) { try await next(request, context) }
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            response = Response(status: .internalServerError)
        }
        response.headers[Self.headerName] = record.id
        if let writer, writer.format != .off {
            writer.write(AccessLogEntry(
                time: Date(), requestID: record.id,
                remote: limiter.source(peer: context.remoteAddress, headers: request.headers).description,
                method: request.method.rawValue, path: request.uri.path, status: response.status.code,
                bytes: response.body.contentLength, duration: ContinuousClock.now - start,
                realm: Self.realm(context), clientID: record.clientID))
        }
        return response
    }

    /// The realm path parameter when it looks like a realm name (a log field, not a free text).
    static func realm(_ context: Context) -> String? {
        guard let realm = context.parameters.get("realm"), realm.utf8.count <= 64,
              realm.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
        else { return nil }
        return realm
    }
}

import Foundation
import HeraldJOSE
import Hummingbird
import Synchronization

/// A loopback JWKS endpoint whose answer the test sets: status, body, Cache-Control, ETag
/// and a delay; it counts the requests it served.
final class JWKSTestEndpoint: Sendable {
    struct Reply: Sendable {
        var status: HTTPResponse.Status = .ok
        var body: String
        var cacheControl: String? = "public, max-age=60"
        var etag: String?
        var delay: Duration = .zero
    }

    private let reply: Mutex<Reply>
    private let count = Atomic<Int>(0)

    init(keys: [PublicJWK]) { reply = Mutex(Reply(body: Self.document(keys))) }

    /// Requests served so far.
    var hits: Int { count.load(ordering: .sequentiallyConsistent) }

    func update(_ change: (inout Reply) -> Void) { reply.withLock { change(&$0) } }

    static func document(_ keys: [PublicJWK]) -> String {
        #"{"keys":["# + keys.map { $0.json(includeMetadata: true) }.joined(separator: ",") + "]}"
    }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.get("jwks") { request, _ -> Response in
            self.count.add(1, ordering: .sequentiallyConsistent)
            let reply = self.reply.withLock { $0 }
            if reply.delay > .zero { try await Task.sleep(for: reply.delay) }
            var headers: HTTPFields = [.contentType: "application/jwk-set+json"]
            if let cacheControl = reply.cacheControl { headers[.cacheControl] = cacheControl }
            if let etag = reply.etag {
                headers[.eTag] = etag
                if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: headers) }
            }
            return Response(status: reply.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: reply.body)))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }
}

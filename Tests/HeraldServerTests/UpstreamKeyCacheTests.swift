import Foundation
import HeraldCore
import HeraldJOSE
@testable import HeraldServer
import HeraldTesting
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// The upstream IdPs' JWKS cache against a live loopback endpoint: max-age, single flight,
/// one re-fetch per interval for an unknown kid, the stale set on failure, failure backoff.
@Suite("Upstream JWKS cache")
struct UpstreamKeyCacheTests {
    /// A JWKS endpoint whose status, body, Cache-Control and delay the test sets; counts hits.
    final class Endpoint: Sendable {
        struct Reply: Sendable {
            var status: HTTPResponse.Status = .ok
            var body: String
            var cacheControl = "public, max-age=60"
            var delay: Duration = .zero
        }

        let reply: Mutex<Reply>
        let count = Atomic<Int>(0)
        var hits: Int { count.load(ordering: .sequentiallyConsistent) }

        init(_ keys: [PublicJWK]) { reply = Mutex(Reply(body: Self.document(keys))) }

        static func document(_ keys: [PublicJWK]) -> String {
            #"{"keys":["# + keys.map { $0.json(includeMetadata: true) }.joined(separator: ",") + "]}"
        }

        func application() -> some ApplicationProtocol {
            let router = Router()
            router.get("certs") { _, _ -> Response in
                self.count.add(1, ordering: .sequentiallyConsistent)
                let reply = self.reply.withLock { $0 }
                if reply.delay > .zero { try await Task.sleep(for: reply.delay) }
                return Response(status: reply.status, headers: [.contentType: "application/json", .cacheControl: reply.cacheControl],
                                body: .init(byteBuffer: ByteBuffer(string: reply.body)))
            }
            return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        }
    }

    let first = SigningKey.generate(.es256).publicKey
    let rotated = SigningKey.generate(.es256).publicKey

    func withCache(_ body: @escaping @Sendable (UpstreamKeyCache, String, Endpoint, ManualClock) async throws -> Void)
        async throws
    {
        let endpoint = Endpoint([first])
        let clock = ManualClock()
        try await endpoint.application().test(.live) { client in
            let port = try #require(client.port)
            try await body(UpstreamKeyCache(clock: clock, logger: Logger(label: "test")), "http://127.0.0.1:\(port)/certs",
                           endpoint, clock)
        }
    }

    @Test("a set is kept for its max-age, then fetched again")
    func maxAge() async throws {
        let kid = first.kid
        try await withCache { cache, url, endpoint, clock in
            #expect(try await cache.keys(at: url).map(\.kid) == [kid])
            _ = try await cache.keys(at: url)
            #expect(endpoint.hits == 1)
            clock.advance(by: 61)
            _ = try await cache.keys(at: url)
            #expect(endpoint.hits == 2)
        }
    }

    @Test("concurrent requests against a cold cache make one fetch")
    func singleFlight() async throws {
        try await withCache { cache, url, endpoint, _ in
            endpoint.reply.withLock { $0.delay = .milliseconds(200) }
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<16 { group.addTask { try await cache.keys(at: url).count } }
                for try await count in group { #expect(count == 1) }
            }
            #expect(endpoint.hits == 1)
        }
    }

    @Test("an unknown kid re-fetches at most once per 10 s; a rotated key is picked up")
    func unknownKid() async throws {
        let (rotatedKey, firstKey) = (rotated, first)
        try await withCache { cache, url, endpoint, clock in
            _ = try await cache.keys(at: url)
            endpoint.reply.withLock { $0.body = Endpoint.document([firstKey, rotatedKey]) }
            #expect(try await cache.keys(at: url, refreshingFor: rotatedKey.kid).count == 2)
            #expect(endpoint.hits == 2)
            _ = try await cache.keys(at: url, refreshingFor: "made-up")
            #expect(endpoint.hits == 2)
            clock.advance(by: 10)
            _ = try await cache.keys(at: url, refreshingFor: "made-up")
            #expect(endpoint.hits == 3)
        }
    }

    @Test("a failed re-fetch serves the last good set for up to a day; then the IdP is unavailable")
    func stale() async throws {
        try await withCache { cache, url, endpoint, clock in
            _ = try await cache.keys(at: url)
            endpoint.reply.withLock { $0.status = .internalServerError }
            clock.advance(by: 61)
            #expect(try await cache.keys(at: url).count == 1)
            #expect(endpoint.hits == 2)
            clock.advance(by: 86400)
            await #expect(throws: UpstreamKeyCache.Unavailable.self) { try await cache.keys(at: url) }
        }
    }

    @Test("without a set, a failure is unavailable; the next attempt waits a second, then succeeds once the IdP is back")
    func downThenBack() async throws {
        try await withCache { cache, url, endpoint, clock in
            endpoint.reply.withLock { $0.status = .serviceUnavailable }
            let error = await #expect(throws: UpstreamKeyCache.Unavailable.self) { try await cache.keys(at: url) }
            #expect(error?.description.hasSuffix("HTTP 503") == true)
            endpoint.reply.withLock { $0.status = .ok }
            await #expect(throws: UpstreamKeyCache.Unavailable.self) { try await cache.keys(at: url) }
            #expect(endpoint.hits == 1)
            clock.advance(by: 1)
            let keys = try await cache.keys(at: url)
            #expect(keys.count == 1)
            #expect(endpoint.hits == 2)
        }
    }

    @Test("a body that is no usable key set is unavailable, with the reason")
    func unusable() async throws {
        try await withCache { cache, url, endpoint, _ in
            endpoint.reply.withLock { $0.body = #"{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}"# }
            let error = await #expect(throws: UpstreamKeyCache.Unavailable.self) { try await cache.keys(at: url) }
            #expect(error?.description.contains("private or symmetric key") == true)
        }
    }
}

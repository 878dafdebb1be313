import AsyncHTTPClient
import Foundation
import HeraldCore
import HeraldJOSE
import HeraldTesting
@testable import HeraldVerifier
import HummingbirdTesting
import Testing

@Suite("Remote JWKS cache")
struct RemoteJWKSCacheTests {
    let first = SigningKey.generate(.es256).publicKey
    let second = SigningKey.generate(.edDSA).publicKey
    let rotated = SigningKey.generate(.es256).publicKey

    /// Runs `body` with a cache over a live loopback JWKS endpoint holding `first` and `second`.
    private func withCache(_ configuration: RemoteJWKSCache.Configuration = .init(),
                           _ body: @escaping @Sendable (RemoteJWKSCache, JWKSTestEndpoint, ManualClock) async throws -> Void)
        async throws {
        let endpoint = JWKSTestEndpoint(keys: [first, second])
        let clock = ManualClock()
        try await endpoint.application().test(.live) { client in
            let port = try #require(client.port)
            let url = try #require(URL(string: "http://127.0.0.1:\(port)/jwks"))
            try await body(RemoteJWKSCache(url: url, configuration: configuration, clock: clock), endpoint, clock)
        }
    }

    private func code(_ operation: () async throws(JWKSFetchError) -> PublicJWK) async -> JWKSFetchError.Code? {
        do {
            _ = try await operation()
            return nil
        } catch {
            return error.code
        }
    }

    @Test("a set is cached for its max-age, then fetched again")
    func maxAge() async throws {
        try await withCache { (cache: RemoteJWKSCache, endpoint: JWKSTestEndpoint, clock: ManualClock) async throws in
            #expect(try await cache.lookup(first.kid).thumbprint == first.thumbprint)
            #expect(try await cache.lookup(second.kid).thumbprint == second.thumbprint)
            clock.advance(by: 59)
            #expect(try await cache.lookup(first.kid).thumbprint == first.thumbprint)
            #expect(endpoint.hits == 1)
            clock.advance(by: 2)
            #expect(try await cache.lookup(first.kid).thumbprint == first.thumbprint)
            #expect(endpoint.hits == 2)
        }
    }

    @Test("max-age is bounded below and above, and defaults when absent")
    func maxAgeBounds() async throws {
        let configuration = RemoteJWKSCache.Configuration(defaultMaxAge: .seconds(100), minimumMaxAge: .seconds(30),
                                                          maximumMaxAge: .seconds(600))
        try await withCache(configuration) { (cache: RemoteJWKSCache, endpoint: JWKSTestEndpoint, clock: ManualClock) async throws in
            endpoint.update { $0.cacheControl = "no-cache" }
            _ = try await cache.allKeys()
            clock.advance(by: 29)
            _ = try await cache.allKeys()
            #expect(endpoint.hits == 1)  // no-cache counts as the 30 s minimum, not one fetch per token
            clock.advance(by: 2)
            endpoint.update { $0.cacheControl = "public, max-age=999999" }
            _ = try await cache.allKeys()
            #expect(endpoint.hits == 2)
            clock.advance(by: 599)
            _ = try await cache.allKeys()
            #expect(endpoint.hits == 2)
            clock.advance(by: 2)  // past the 600 s maximum
            endpoint.update { $0.cacheControl = nil }
            _ = try await cache.allKeys()
            #expect(endpoint.hits == 3)
            clock.advance(by: 99)
            _ = try await cache.allKeys()
            #expect(endpoint.hits == 3)
            clock.advance(by: 2)  // past the 100 s default
            _ = try await cache.allKeys()
            #expect(endpoint.hits == 4)
        }
    }

    @Test("an unknown kid re-fetches at most once per interval, then fails with unknown_key")
    func unknownKeyRateLimit() async throws {
        try await withCache(.init(unknownKeyRefetchInterval: .seconds(10))) { (cache: RemoteJWKSCache, endpoint: JWKSTestEndpoint, clock: ManualClock) async throws in
            #expect(try await cache.lookup(first.kid).thumbprint == first.thumbprint)
            // The set was fetched this instant: a re-fetch would return the same set.
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: "made-up") } == .unknownKey)
            #expect(endpoint.hits == 1)
            clock.advance(by: 11)
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: "made-up") } == .unknownKey)
            #expect(endpoint.hits == 2)
            for _ in 0..<20 {
                #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: "made-up-\(UUID())") } == .unknownKey)
            }
            #expect(endpoint.hits == 2)
            // The issuer rotates: the next unknown kid after the interval finds the new key.
            endpoint.update { $0.body = JWKSTestEndpoint.document([first, rotated]) }
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: rotated.kid) } == .unknownKey)
            clock.advance(by: 11)
            #expect(try await cache.lookup(rotated.kid).thumbprint == rotated.thumbprint)
            #expect(endpoint.hits == 3)
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: second.kid) } == .unknownKey)
        }
    }

    @Test("a failed refresh serves a known kid from the stale set and fails others with the fetch's error")
    func staleOnFailure() async throws {
        try await withCache { (cache: RemoteJWKSCache, endpoint: JWKSTestEndpoint, clock: ManualClock) async throws in
            #expect(try await cache.lookup(first.kid).thumbprint == first.thumbprint)
            endpoint.update { $0.status = .serviceUnavailable; $0.body = "down" }
            clock.advance(by: 61)
            #expect(try await cache.lookup(first.kid).thumbprint == first.thumbprint)
            #expect(endpoint.hits == 2)
            #expect(try await cache.allKeys().count == 2)
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: rotated.kid) } == .badStatus)
            // Back up: the first lookup after the 1 s failure backoff fetches and succeeds.
            endpoint.update { $0.status = .ok; $0.body = JWKSTestEndpoint.document([rotated]) }
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: rotated.kid) } == .badStatus)
            #expect(endpoint.hits == 2)  // inside the backoff: the failure is reused, the endpoint left alone
            clock.advance(by: 1)
            #expect(try await cache.lookup(rotated.kid).thumbprint == rotated.thumbprint)
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: first.kid) } == .unknownKey)
        }
    }

    @Test("in an outage, a known kid is answered at once while the refresh runs in the background")
    func staleWhileRefreshing() async throws {
        // The deadline is generous so that the first, healthy fetch succeeds on a loaded CI machine
        // (a 300 ms deadline once timed it out there); "at once" is then judged against that deadline.
        let deadline = Duration.seconds(2)
        try await withCache(.init(failureBackoff: .zero, timeout: deadline)) {
            (cache: RemoteJWKSCache, endpoint: JWKSTestEndpoint, clock: ManualClock) async throws in
            _ = try await cache.lookup(first.kid)
            endpoint.update { $0.delay = deadline * 3 }  // hangs past the deadline
            clock.advance(by: 61)
            let waited = ContinuousClock.now
            #expect(try await cache.lookup(first.kid).thumbprint == first.thumbprint)  // waited for the deadline
            #expect(ContinuousClock.now - waited >= deadline - .milliseconds(100))
            // Had these waited for the background refresh, they would take a whole deadline.
            let started = ContinuousClock.now
            for _ in 0..<5 { #expect(try await cache.lookup(second.kid).thumbprint == second.thumbprint) }
            #expect(ContinuousClock.now - started < deadline / 2)
            // Back up: once the background attempt has failed, the next lookup fetches the new set.
            endpoint.update { $0.delay = .zero; $0.body = JWKSTestEndpoint.document([first, rotated]) }
            try await Task.sleep(for: deadline + .milliseconds(500))
            #expect(endpoint.hits == 3)  // one background refresh, not one per lookup
            #expect(try await cache.lookup(rotated.kid).thumbprint == rotated.thumbprint)
        }
    }

    @Test("a stale set is not served past maximumStaleness")
    func staleBound() async throws {
        try await withCache(.init(maximumStaleness: .seconds(100))) { (cache: RemoteJWKSCache, endpoint: JWKSTestEndpoint, clock: ManualClock) async throws in
            _ = try await cache.lookup(first.kid)
            endpoint.update { $0.status = .internalServerError }
            clock.advance(by: 60 + 99)
            #expect(try await cache.lookup(first.kid).thumbprint == first.thumbprint)
            clock.advance(by: 2)
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: first.kid) } == .badStatus)
        }
    }

    @Test("concurrent lookups share one fetch")
    func singleFlight() async throws {
        try await withCache { (cache: RemoteJWKSCache, endpoint: JWKSTestEndpoint, _: ManualClock) async throws in
            endpoint.update { $0.delay = .milliseconds(300) }
            let kids = [first.kid, second.kid]
            let found = try await withThrowingTaskGroup(of: PublicJWK.self) { group in
                for index in 0..<50 { group.addTask { try await cache.lookup(kids[index % 2]) } }
                var found: [PublicJWK] = []
                for try await key in group { found.append(key) }
                return found
            }
            #expect(found.count == 50 && found.filter { $0.thumbprint == first.thumbprint }.count == 25)
            #expect(endpoint.hits == 1)
        }
    }

    @Test("each endpoint failure has its own code")
    func distinctFailures() async throws {
        // The timeout is long enough for a first fetch on a loaded machine (at 200 ms the 404 was
        // sometimes taken for no answer) and still short against the delay of the last case.
        try await withCache(.init(failureBackoff: .zero, timeout: .seconds(1), maximumResponseBytes: 4096)) { (cache: RemoteJWKSCache, endpoint: JWKSTestEndpoint, _: ManualClock) async throws in
            endpoint.update { $0.status = .notFound }
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: first.kid) } == .badStatus)
            endpoint.update { $0.status = .ok; $0.body = "{\"keys\": [" }
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: first.kid) } == .malformed)
            endpoint.update { $0.body = "{\"keys\": []}" }
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: first.kid) } == .malformed)
            endpoint.update { $0.body = "{\"keys\": \"\(String(repeating: "a", count: 5000))\"}" }
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: first.kid) } == .tooLarge)
            endpoint.update { $0.body = JWKSTestEndpoint.document([first]); $0.delay = .seconds(3) }
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: first.kid) } == .unreachable)
        }
        // A port nobody listens on.
        let closed = RemoteJWKSCache(url: URL(string: "http://127.0.0.1:1/jwks")!)
        #expect(await code { () async throws(JWKSFetchError) in try await closed.key(for: "k") } == .unreachable)
    }

    @Test("keys of unsupported types are skipped; a set of only those is malformed")
    func unsupportedKeysSkipped() async throws {
        try await withCache { (cache: RemoteJWKSCache, endpoint: JWKSTestEndpoint, _: ManualClock) async throws in
            let oct = #"{"kty":"oct","kid":"hmac","k":"c2VjcmV0"}"#
            let x25519 = #"{"kty":"OKP","crv":"X25519","kid":"ecdh","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}"#
            let encryption = #"{"kty":"EC","crv":"P-256","use":"enc","kid":"enc","x":"AAAA","y":"AAAA"}"#
            endpoint.update {
                $0.body = #"{"keys":["# + [oct, x25519, encryption, first.json(includeMetadata: true)].joined(separator: ",") + "]}"
            }
            #expect(try await cache.allKeys().map(\.thumbprint) == [first.thumbprint])
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: "hmac") } == .unknownKey)
            cache.invalidate()
            endpoint.update { $0.body = #"{"keys":["# + oct + "]}" }
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: "hmac") } == .malformed)
        }
    }

    /// RFC 7517 Appendix A.1's 2048-bit RSA public key, as an upstream IdP publishes one.
    static func rsaJWK(kid: String) -> String {
        #"{"kty":"RSA","use":"sig","alg":"RS256","kid":"\#(kid)","e":"AQAB","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}"#
    }

    @Test("with acceptsRSAKeys, RSA keys are served by thirdPartyKey(for:), never by key(for:); a rotated one is picked up")
    func rsaKeySets() async throws {
        let configuration = RemoteJWKSCache.Configuration(acceptsRSAKeys: true)
        let ecKey = first
        try await withCache(configuration) { (cache: RemoteJWKSCache, endpoint: JWKSTestEndpoint, clock: ManualClock) async throws in
            let enc = #"{"kty":"RSA","kid":"enc-1","use":"enc","alg":"RSA-OAEP","n":"AQAB","e":"AQAB"}"#
            endpoint.update { $0.body = #"{"keys":["# + [Self.rsaJWK(kid: "rsa-1"), enc, ecKey.json(includeMetadata: true)].joined(separator: ",") + "]}" }
            guard case .rsa(let rsa) = try await cache.thirdPartyKey(for: "rsa-1") else {
                Issue.record("kid rsa-1 is not served as an RSA key")
                return
            }
            #expect(rsa.kid == "rsa-1")
            #expect(try await cache.thirdPartyKeys().map(\.kid) == ["rsa-1", ecKey.kid])
            #expect(try await cache.thirdPartyKey(for: ecKey.kid).thumbprint == ecKey.thumbprint)
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: "rsa-1") } == .unknownKey)
            #expect(try await cache.key(for: ecKey.kid).thumbprint == ecKey.thumbprint)
            // An IdP rotating to a new RSA key: one re-fetch finds it; a made-up kid then waits the interval.
            endpoint.update { $0.body = #"{"keys":["# + Self.rsaJWK(kid: "rsa-2") + "]}" }
            clock.advance(by: 10)
            guard case .rsa = try await cache.thirdPartyKey(for: "rsa-2") else {
                Issue.record("the rotated kid rsa-2 is not served")
                return
            }
            do throws(JWKSFetchError) {
                _ = try await cache.thirdPartyKey(for: "made-up")
                Issue.record("a made-up kid was found")
            } catch {
                #expect(error.code == .unknownKey)
            }
        }
    }

    @Test("without acceptsRSAKeys, a set of only RSA keys is malformed; with it, one is usable")
    func rsaOnlySet() async throws {
        let body = #"{"keys":["# + Self.rsaJWK(kid: "rsa-1") + "]}"
        try await withCache { (cache: RemoteJWKSCache, endpoint: JWKSTestEndpoint, _: ManualClock) async throws in
            endpoint.update { $0.body = body }
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: "rsa-1") } == .malformed)
        }
        try await withCache(.init(acceptsRSAKeys: true)) { (cache: RemoteJWKSCache, endpoint: JWKSTestEndpoint, _: ManualClock) async throws in
            endpoint.update { $0.body = body }
            #expect(try await cache.thirdPartyKeys().map(\.kid) == ["rsa-1"])
            endpoint.update { $0.body = #"{"keys":[{"kty":"oct","kid":"hmac","k":"c2VjcmV0"}]}"# }
            cache.invalidate()
            do throws(JWKSFetchError) {
                _ = try await cache.thirdPartyKeys()
                Issue.record("a set of only a symmetric key was usable")
            } catch {
                #expect(error.code == .malformed)
                #expect(error.reason.contains("private or symmetric key"))
            }
        }
    }

    @Test("when routine fetches do not count, an unknown kid right after the first fetch re-fetches once per interval")
    func unknownKeyRefetchIgnoringRoutineFetches() async throws {
        let configuration = RemoteJWKSCache.Configuration(unknownKeyRefetchCountsEveryFetch: false)
        let (firstKey, rotatedKey) = (first, rotated)
        try await withCache(configuration) { (cache: RemoteJWKSCache, endpoint: JWKSTestEndpoint, clock: ManualClock) async throws in
            #expect(try await cache.key(for: firstKey.kid).thumbprint == firstKey.thumbprint)
            endpoint.update { $0.body = JWKSTestEndpoint.document([firstKey, rotatedKey]) }
            #expect(try await cache.key(for: rotatedKey.kid).thumbprint == rotatedKey.thumbprint)
            #expect(endpoint.hits == 2)
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: "made-up") } == .unknownKey)
            #expect(endpoint.hits == 2)
            clock.advance(by: 10)
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: "made-up") } == .unknownKey)
            #expect(endpoint.hits == 3)
        }
    }

    @Test("an ETag is revalidated with If-None-Match; 304 keeps the set")
    func etagRevalidation() async throws {
        try await withCache { (cache: RemoteJWKSCache, endpoint: JWKSTestEndpoint, clock: ManualClock) async throws in
            endpoint.update { $0.etag = "\"v1\"" }
            #expect(try await cache.lookup(first.kid).thumbprint == first.thumbprint)
            endpoint.update { $0.body = "not json: a 304 must not read it" }
            clock.advance(by: 61)
            #expect(try await cache.lookup(second.kid).thumbprint == second.thumbprint)
            #expect(endpoint.hits == 2)
        }
    }

    @Test("without a kid, only a one-key set answers")
    func missingKid() async throws {
        try await withCache { (cache: RemoteJWKSCache, endpoint: JWKSTestEndpoint, clock: ManualClock) async throws in
            #expect(await code { () async throws(JWKSFetchError) in try await cache.key(for: nil) } == .unknownKey)
            endpoint.update { $0.body = JWKSTestEndpoint.document([first]) }
            clock.advance(by: 61)
            #expect(try await cache.lookup(nil).thumbprint == first.thumbprint)
        }
    }

    @Test("Cache-Control max-age parsing")
    func cacheControl() {
        #expect(CacheControl.maxAge("public, max-age=120") == 120)
        #expect(CacheControl.maxAge("max-age=\"30\", must-revalidate") == 30)
        #expect(CacheControl.maxAge("no-store") == 0)
        #expect(CacheControl.maxAge("public") == nil)
        #expect(CacheControl.maxAge("max-age=-5") == nil)
        #expect(CacheControl.maxAge("max-age=99999999999999999999999") == Int.max)
        #expect(CacheControl.maxAge(nil) == nil)
    }
}

extension RemoteJWKSCache {
    /// `key(for:)` with an untyped throw, as `#expect` and task groups take it.
    fileprivate func lookup(_ kid: String?) async throws -> PublicJWK { try await key(for: kid) }
    /// `keys()` with an untyped throw.
    fileprivate func allKeys() async throws -> [PublicJWK] { try await keys() }
}

import HeraldVerifier
import Testing

@Suite("Nonce replay cache")
struct AgentSignatureReplayCacheTests {
    @Test("a nonce is fresh once, a replay until it expires, fresh again after")
    func lifecycle() {
        let cache = NonceReplayCache(capacity: 10)
        #expect(cache.record("k n1", expiresAt: 1300, now: 1000) == .fresh)
        #expect(cache.record("k n1", expiresAt: 1300, now: 1000) == .replayed)
        #expect(cache.record("other n1", expiresAt: 1300, now: 1000) == .fresh)  // scoped by key
        #expect(cache.record("k n1", expiresAt: 1300, now: 1300) == .replayed)   // expiry is inclusive
        #expect(cache.count(now: 1300) == 2)
        #expect(cache.count(now: 1301) == 0)
        #expect(cache.record("k n1", expiresAt: 1601, now: 1301) == .fresh)
    }

    @Test("full of unexpired nonces it refuses new ones and still knows the old ones")
    func failsClosed() {
        let cache = NonceReplayCache(capacity: 3)
        for index in 0..<3 { #expect(cache.record("n\(index)", expiresAt: 1300 + Int64(index), now: 1000) == .fresh) }
        #expect(cache.record("n3", expiresAt: 1300, now: 1000) == .full)
        for index in 0..<3 { #expect(cache.record("n\(index)", expiresAt: 1300, now: 1200) == .replayed) }
        #expect(cache.record("n3", expiresAt: 1500, now: 1301) == .fresh)  // n0 expired: room again
        #expect(cache.record("n1", expiresAt: 1500, now: 1301) == .replayed)
        #expect(cache.count(now: 1301) == 3)
    }

    @Test("after a long idle spell everything expired is dropped")
    func idle() {
        let cache = NonceReplayCache(capacity: 100)
        for index in 0..<50 { _ = cache.record("n\(index)", expiresAt: 1000 + Int64(index), now: 900) }
        #expect(cache.count(now: 1_000_000) == 0)
        #expect(cache.record("n0", expiresAt: 1_000_300, now: 1_000_000) == .fresh)
    }

    @Test("concurrent recorders: each nonce is fresh exactly once")
    func concurrent() async {
        let cache = NonceReplayCache(capacity: 100_000)
        let fresh = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var count = 0
                    for index in 0..<2000 where cache.record("n\(index)", expiresAt: 2000, now: 1000) == .fresh {
                        count += 1
                    }
                    return count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(fresh == 2000)
    }
}

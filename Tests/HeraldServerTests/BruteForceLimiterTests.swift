import Foundation
import HeraldCore
import HeraldServer
import HeraldServices
import HeraldTesting
import NIOCore
import Testing

@Suite("Brute-force limiter")
struct BruteForceLimiterTests {
    /// 3 failures lock; each further failure adds a minute; at most 5 minutes; forgotten
    /// after an hour without a failure.
    static let policy = BruteForceSettings.Lockout(maxFailures: 3, waitIncrementSeconds: 60, maxWaitSeconds: 300,
                                                   failureResetSeconds: 3600)
    static let key = LockoutTable.Key(realm: "test", subject: .client("four-bot"))
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func address(_ text: String) -> ClientAddress { ClientAddress(literal: text)! }

    /// A limiter over a manual clock with `client` and `address` lockouts.
    static func limiter(capacity: Int = 1000) -> (AuthenticationLimiter, ManualClock) {
        let clock = ManualClock(start)
        return (AuthenticationLimiter(clock: clock, audit: nil, metrics: nil, capacity: capacity), clock)
    }

    static func settings(client: BruteForceSettings.Lockout = policy, address: BruteForceSettings.Lockout =
                             .init(maxFailures: 100, failureResetSeconds: 3600)) -> BruteForceSettings {
        BruteForceSettings(client: client, address: address, eventRate: nil)
    }

    /// A refusal as the client sees it (through the HTTP mapping), nil when the attempt was admitted.
    static func refusal(_ limiter: AuthenticationLimiter, _ settings: BruteForceSettings, client: String?,
                        from address: ClientAddress) async -> OAuthError? {
        do {
            _ = try await limiter.admit(realm: "test", settings: settings, client: client, address: address)
            return nil
        } catch {
            return OAuthError(error)
        }
    }

    static func fail(_ limiter: AuthenticationLimiter, _ settings: BruteForceSettings, client: String?,
                     from address: ClientAddress, times: Int = 1) async throws {
        for _ in 0..<times {
            let attempt = try await limiter.admit(realm: "test", settings: settings, client: client, address: address)
            await limiter.failed(attempt, reason: "wrong secret for client \(client ?? "-")")
        }
    }

    @Test("the wait: nothing below max_failures, one increment more per failure, capped, no overflow")
    func waits() {
        #expect((1...2).map { Self.policy.waitSeconds(afterFailures: $0) } == [0, 0])
        #expect((3...9).map { Self.policy.waitSeconds(afterFailures: $0) } == [60, 120, 180, 240, 300, 300, 300])
        #expect(Self.policy.waitSeconds(afterFailures: Int.max) == 300)
        #expect(BruteForceSettings.Lockout.clientDefault.waitSeconds(afterFailures: 29) == 0)
        #expect(BruteForceSettings.Lockout.clientDefault.waitSeconds(afterFailures: 30) == 60)
        #expect(BruteForceSettings.Lockout.clientDefault.waitSeconds(afterFailures: 10_000) == 900)
    }

    @Test("max_failures failures lock the key; the lock ends after the wait and says so once")
    func lockout() {
        let table = LockoutTable()
        var now = Self.start
        #expect(table.admit(Self.key, now: now) == .clear)
        #expect(table.recordFailure(Self.key, policy: Self.policy, now: now) == .init(failures: 1, lockedUntil: nil))
        #expect(table.admit(Self.key, now: now) == .counting(ended: nil))
        #expect(table.recordFailure(Self.key, policy: Self.policy, now: now).lockedUntil == nil)
        let third = table.recordFailure(Self.key, policy: Self.policy, now: now)
        #expect(third == .init(failures: 3, lockedUntil: now + 60))
        #expect(table.lockedCounts(now: now) == ["test": 1])
        now += 59
        #expect(table.admit(Self.key, now: now) == .locked(until: Self.start + 60, report: nil))
        #expect(table.admit(Self.key, now: now) == .locked(until: Self.start + 60, report: nil))
        now += 1
        // Two refusals during the lock, reported when it ends.
        #expect(table.admit(Self.key, now: now) == .counting(ended: 2))
        #expect(table.admit(Self.key, now: now) == .counting(ended: nil))
        #expect(table.lockedCounts(now: now).isEmpty)
    }

    @Test("each failure after a lock locks for one increment more, up to max_wait")
    func backoff() throws {
        let table = LockoutTable()
        var now = Self.start
        for _ in 0..<2 { _ = table.recordFailure(Self.key, policy: Self.policy, now: now) }
        var waits: [TimeInterval] = []
        for _ in 0..<6 {
            let failure = table.recordFailure(Self.key, policy: Self.policy, now: now)
            let until = try #require(failure.lockedUntil)
            waits.append(until.timeIntervalSince(now))
            now = until
            _ = table.admit(Self.key, now: now)
        }
        #expect(waits == [60, 120, 180, 240, 300, 300])
    }

    @Test("refusals during a long lock are reported at most once a minute")
    func refusalReports() {
        let table = LockoutTable()
        let policy = BruteForceSettings.Lockout(maxFailures: 1, waitIncrementSeconds: 600, maxWaitSeconds: 600,
                                                failureResetSeconds: 3600)
        _ = table.recordFailure(Self.key, policy: policy, now: Self.start)
        var reports: [Int] = []
        for second in stride(from: 1, to: 200, by: 1) {
            if case .locked(_, let report?) = table.admit(Self.key, now: Self.start + TimeInterval(second)) {
                reports.append(report)
            }
        }
        #expect(reports == [60, 60, 60])
    }

    @Test("a success ends the run: the next failure is the first again")
    func successResets() {
        let table = LockoutTable()
        for _ in 0..<2 { _ = table.recordFailure(Self.key, policy: Self.policy, now: Self.start) }
        table.recordSuccess(Self.key)
        #expect(table.admit(Self.key, now: Self.start) == .clear)
        #expect(table.count == 0)
        #expect(table.recordFailure(Self.key, policy: Self.policy, now: Self.start).failures == 1)
    }

    @Test("failures older than failure_reset are forgotten; a lock in force is not")
    func windowExpiry() {
        let table = LockoutTable()
        for _ in 0..<2 { _ = table.recordFailure(Self.key, policy: Self.policy, now: Self.start) }
        #expect(table.recordFailure(Self.key, policy: Self.policy, now: Self.start + 3601) == .init(failures: 1, lockedUntil: nil))
        // Just inside the window the run goes on and locks.
        _ = table.recordFailure(Self.key, policy: Self.policy, now: Self.start + 3602)
        #expect(table.recordFailure(Self.key, policy: Self.policy, now: Self.start + 7200).lockedUntil != nil)
    }

    @Test("the table is bounded: made-up ids evict each other, a lock in force stays")
    func boundedTable() {
        let table = LockoutTable(capacity: 16)
        let once = BruteForceSettings.Lockout(maxFailures: 1, waitIncrementSeconds: 600, maxWaitSeconds: 600,
                                              failureResetSeconds: 3600)
        _ = table.recordFailure(Self.key, policy: once, now: Self.start)
        for index in 0..<10_000 {
            let made = LockoutTable.Key(realm: "test", subject: .client("guess-\(index)"))
            _ = table.recordFailure(made, policy: Self.policy, now: Self.start + TimeInterval(index) / 1000)
            #expect(table.count <= 16)
        }
        #expect(table.admit(Self.key, now: Self.start + 10) == .locked(until: Self.start + 600, report: nil))
        // Runs that are over are swept even below the capacity.
        let later = Self.start + 2 * 3600
        _ = table.recordFailure(Self.key, policy: Self.policy, now: later)
        #expect(table.count == 1)
    }

    @Test("a locked client is refused from every address, before its secret is checked")
    func clientLock() async throws {
        let (limiter, clock) = Self.limiter()
        let settings = Self.settings()
        for (index, address) in ["198.51.100.1", "198.51.100.2", "198.51.100.3"].enumerated() {
            #expect(await Self.refusal(limiter, settings, client: "four-bot", from: Self.address(address)) == nil,
                    "attempt \(index) admitted")
            try await Self.fail(limiter, settings, client: "four-bot", from: Self.address(address))
        }
        let refused = try #require(await Self.refusal(limiter, settings, client: "four-bot",
                                                      from: Self.address("203.0.113.9")))
        #expect(refused.status == .tooManyRequests)
        #expect(refused.code == "invalid_client")
        #expect(refused.retryAfterSeconds == 60)
        #expect(refused.description == "too many failed authentications for this client; retry after 60 s")
        // Another client from the same addresses is not affected.
        #expect(await Self.refusal(limiter, settings, client: "two-bot", from: Self.address("198.51.100.1")) == nil)
        clock.advance(by: 30)
        #expect(await Self.refusal(limiter, settings, client: "four-bot", from: Self.address("203.0.113.9"))?
            .retryAfterSeconds == 30)
        clock.advance(by: 30)
        let attempt = try await limiter.admit(realm: "test", settings: settings, client: "four-bot",
                                              address: Self.address("203.0.113.9"))
        limiter.succeeded(attempt)
        #expect(limiter.clients.count == 0)
    }

    @Test("a locked address is refused for every client; other addresses are not")
    func addressLock() async throws {
        let (limiter, _) = Self.limiter()
        let settings = Self.settings(address: .init(maxFailures: 4, waitIncrementSeconds: 120, maxWaitSeconds: 600,
                                                    failureResetSeconds: 3600))
        let sprayer = Self.address("192.0.2.66")
        for index in 0..<3 { try await Self.fail(limiter, settings, client: "guess-\(index)", from: sprayer) }
        // A success from the address does not buy it more guesses: the fourth failure locks.
        limiter.succeeded(try await limiter.admit(realm: "test", settings: settings, client: "four-bot", address: sprayer))
        try await Self.fail(limiter, settings, client: "guess-3", from: sprayer)
        let refused = try #require(await Self.refusal(limiter, settings, client: "four-bot", from: sprayer))
        #expect(refused.status == .tooManyRequests)
        #expect(refused.retryAfterSeconds == 120)
        #expect(refused.description == "too many failed authentications from this address; retry after 120 s")
        #expect(await Self.refusal(limiter, settings, client: nil, from: sprayer) != nil)
        #expect(await Self.refusal(limiter, settings, client: "four-bot", from: Self.address("192.0.2.67")) == nil)
        // No client got to max_failures.
        #expect(limiter.clients.lockedCounts(now: Self.start).isEmpty)
        #expect(limiter.addresses.lockedCounts(now: Self.start) == ["test": 1])
    }

    @Test("IPv6 addresses share the count of their /64")
    func ipv6Prefix() async throws {
        let (limiter, _) = Self.limiter()
        let settings = Self.settings(address: .init(maxFailures: 2, failureResetSeconds: 3600))
        try await Self.fail(limiter, settings, client: "a", from: Self.address("2001:db8:1:2::10"))
        try await Self.fail(limiter, settings, client: "b", from: Self.address("2001:db8:1:2:ffff::99"))
        #expect(await Self.refusal(limiter, settings, client: "c", from: Self.address("2001:db8:1:2::77")) != nil)
        #expect(await Self.refusal(limiter, settings, client: "c", from: Self.address("2001:db8:1:3::10")) == nil)
    }

    @Test("with brute_force disabled nothing is counted or refused")
    func disabled() async throws {
        let (limiter, _) = Self.limiter()
        var settings = Self.settings()
        settings.enabled = false
        try await Self.fail(limiter, settings, client: "four-bot", from: Self.address("192.0.2.1"), times: 50)
        #expect(await Self.refusal(limiter, settings, client: "four-bot", from: Self.address("192.0.2.1")) == nil)
        #expect(limiter.clients.count == 0 && limiter.addresses.count == 0)
    }

    @Test("client ids are kept to 256 bytes, so long made-up ids cost bounded memory")
    func longIDs() async throws {
        let (limiter, _) = Self.limiter()
        let settings = Self.settings()
        let prefix = String(repeating: "x", count: 256)
        for tail in ["a", "b", "c"] {
            try await Self.fail(limiter, settings, client: prefix + String(repeating: tail, count: 60_000),
                                from: Self.address("192.0.2.\(tail.unicodeScalars.first!.value)"))
        }
        #expect(limiter.clients.count == 1)
        #expect(await Self.refusal(limiter, settings, client: prefix + "z", from: Self.address("192.0.2.200")) != nil)
    }

    @Test("outcome-report rate: a burst of the rate, then one per period / count")
    func reportRate() {
        let limiter = RateLimiter()
        let rate = BruteForceSettings.Rate(count: 3, periodSeconds: 60)
        let key = LockoutTable.Key(realm: "test", subject: .client("zero-bot"))
        #expect((0..<3).map { _ in limiter.take(key, rate: rate, now: Self.start) } == [nil, nil, nil])
        #expect(limiter.take(key, rate: rate, now: Self.start) == 20)
        #expect(limiter.take(key, rate: rate, now: Self.start + 10) == 10)
        #expect(limiter.take(key, rate: rate, now: Self.start + 20) == nil)
        #expect(limiter.take(LockoutTable.Key(realm: "test", subject: .client("two-bot")), rate: rate,
                             now: Self.start + 20) == nil)
        #expect(BruteForceSettings.Rate.parse("60/min") == rate.with(count: 60))
        #expect(["60", "0/min", "-1/s", "5/m", "1/day", "٣/s"].allSatisfy { BruteForceSettings.Rate.parse($0) == nil })
    }

    @Test("source address: the peer, or behind a trusted proxy the nearest untrusted X-Forwarded-For hop")
    func sourceAddress() throws {
        let proxy = Self.address("10.0.0.5"), inner = Self.address("10.0.0.6")
        let peer = try SocketAddress(ipAddress: "10.0.0.5", port: 50123)
        #expect(ClientAddress(peer) == proxy)
        #expect(ClientAddress(peer).description == "10.0.0.5")
        #expect(Self.address("2001:db8::1").description == "2001:db8:0:0:0:0:0:1")
        #expect(ClientAddress(nil) == .unknown)
        let trusted: Set = [proxy, inner]
        #expect(ClientAddress.source(peer: proxy, forwardedFor: ["203.0.113.1, 198.51.100.7, 10.0.0.6"],
                                     trustedProxies: trusted) == Self.address("198.51.100.7"))
        #expect(ClientAddress.source(peer: proxy, forwardedFor: ["203.0.113.1", "198.51.100.8"],
                                     trustedProxies: trusted) == Self.address("198.51.100.8"))
        // An untrusted peer's header is ignored; a garbled hop stops at the proxy.
        #expect(ClientAddress.source(peer: Self.address("192.0.2.1"), forwardedFor: ["203.0.113.1"],
                                     trustedProxies: trusted) == Self.address("192.0.2.1"))
        #expect(ClientAddress.source(peer: proxy, forwardedFor: ["203.0.113.1, not-an-ip"],
                                     trustedProxies: trusted) == proxy)
        #expect(ClientAddress.source(peer: proxy, forwardedFor: [], trustedProxies: trusted) == proxy)
    }
}

extension BruteForceSettings.Rate {
    func with(count: Int) -> Self { Self(count: count, periodSeconds: periodSeconds) }
}

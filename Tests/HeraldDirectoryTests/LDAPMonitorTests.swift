import Foundation
import HeraldCore
@testable import HeraldDirectory
import HeraldTesting
import Synchronization
import Testing

@Suite("LDAP monitor against slapd: health, ping, latency and cache observations")
struct LDAPMonitorTests {
    /// Counts what the monitor reports.
    final class Counts: LDAPMonitor.Observer {
        let operations = Atomic<Int>(0), failures = Atomic<Int>(0), hits = Atomic<Int>(0), misses = Atomic<Int>(0)

        func operation(duration: Duration, failed: Bool) {
            operations.add(1, ordering: .relaxed)
            if failed { failures.add(1, ordering: .relaxed) }
        }

        func cacheLookup(hit: Bool) {
            if hit { hits.add(1, ordering: .relaxed) } else { misses.add(1, ordering: .relaxed) }
        }
    }

    @Test("live: lookups are timed and counted as hits or misses; an outage marks the server down until it answers again")
    func live() async throws {
        try await SlapdFixture.with(seed: LDAPSeed.ldif) { fixture in
            let directory = try LDAPSeed.directory(fixture, settings: LDAPSeed.settings(fixture))
            defer { directory.shutdown() }
            let counts = Counts()
            directory.monitor.observe(counts)
            #expect(!directory.monitor.health.isDown && directory.monitor.health.lastSuccess == nil)
            _ = try await directory.principal(id: "agent-l3")  // miss: to the server
            _ = try await directory.principal(id: "agent-l3")  // hit: cached
            #expect(counts.misses.load(ordering: .relaxed) == 1 && counts.hits.load(ordering: .relaxed) == 1)
            #expect(counts.operations.load(ordering: .relaxed) >= 1 && counts.failures.load(ordering: .relaxed) == 0)
            #expect(!(try await directory.checkPassword("wrong-password", agentID: "agent-l3")))
            #expect(counts.failures.load(ordering: .relaxed) == 0)  // a refused password is an answer
            try await directory.ping()
            #expect(directory.monitor.health.lastSuccess != nil && !directory.monitor.health.isDown)

            try await fixture.stop()
            await #expect(throws: HeraldError.self) { try await directory.ping() }
            #expect(directory.monitor.health.isDown && directory.monitor.health.lastError != nil)
            #expect(counts.failures.load(ordering: .relaxed) >= 1)
            try await fixture.restart()
            try await directory.ping()
            #expect(!directory.monitor.health.isDown)
            #expect(directory.copyState == nil)  // live mode has no copy
        }
    }

    @Test("sync: the copy's age and whether it is still served")
    func sync() async throws {
        try await SlapdFixture.with(seed: LDAPSeed.ldif) { fixture in
            let clock = ManualClock()
            let directory = try LDAPSeed.directory(fixture, settings: LDAPSeed.settings(fixture, mode: .sync, cacheTTL: 30),
                                                   clock: clock)
            defer { directory.shutdown() }
            #expect(directory.copyState?.servable == false && directory.copyState?.age == nil)
            try await directory.sync()
            #expect(directory.copyState?.servable == true && directory.copyState?.age == 0)
            clock.advance(by: 91)  // past sync_period 60 + cache_ttl 30
            #expect(directory.copyState?.servable == false && directory.copyState?.age == 91)
        }
    }
}

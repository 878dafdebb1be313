import Foundation
import HeraldCore
@testable import HeraldDirectory
import HeraldTesting
import Testing

@Suite("LDAP outage against slapd")
struct LDAPOutageTests {
    @Test("fail_closed: no stale grant once cache_ttl passes; recovery after restart without a new directory")
    func failClosed() async throws {
        try await SlapdFixture.with(seed: LDAPSeed.ldif) { fixture in
            let clock = ManualClock()
            let directory = try LDAPSeed.directory(fixture, settings: LDAPSeed.settings(fixture, cacheTTL: 30), clock: clock)
            defer { directory.shutdown() }
            #expect(LDAPSeed.level(try await directory.principal(id: "agent-l3")) == .l3)
            try await fixture.stop()
            #expect(LDAPSeed.level(try await directory.principal(id: "agent-l3")) == .l3)  // within cache_ttl
            clock.advance(by: 31)
            await Self.expectUnavailable { try await directory.principal(id: "agent-l3") }
            await Self.expectUnavailable { try await directory.principal(id: "agent-two") }
            await Self.expectUnavailable { try await directory.checkPassword(LDAPSeed.password, agentID: "agent-two") }
            try await fixture.restart()
            #expect(LDAPSeed.level(try await directory.principal(id: "agent-l3")) == .l3)
            #expect(try await directory.checkPassword(LDAPSeed.password, agentID: "agent-l3"))
        }
    }

    @Test("serve_stale: cached agents are served until max_stale past cache_ttl, then denied")
    func serveStale() async throws {
        try await SlapdFixture.with(seed: LDAPSeed.ldif) { fixture in
            let clock = ManualClock()
            let settings = LDAPSeed.settings(fixture, onUnavailable: .serveStale, cacheTTL: 30, maxStale: 60)
            let directory = try LDAPSeed.directory(fixture, settings: settings, clock: clock)
            defer { directory.shutdown() }
            #expect(LDAPSeed.level(try await directory.principal(id: "agent-deep")) == .l4)
            try await fixture.stop()
            clock.advance(by: 31)
            #expect(LDAPSeed.level(try await directory.principal(id: "agent-deep")) == .l4)  // stale, served
            clock.advance(by: 58)  // 89 s old: within 30 + 60
            #expect(LDAPSeed.level(try await directory.principal(id: "agent-deep")) == .l4)
            clock.advance(by: 2)  // 91 s old
            await Self.expectUnavailable { try await directory.principal(id: "agent-deep") }
            await Self.expectUnavailable { try await directory.principal(id: "agent-l3") }  // never cached
            try await fixture.restart()
            #expect(LDAPSeed.level(try await directory.principal(id: "agent-deep")) == .l4)
        }
    }

    @Test("sync mode keeps its copy through an outage for sync_period plus cache_ttl, then fails closed")
    func syncOutage() async throws {
        try await SlapdFixture.with(seed: LDAPSeed.ldif) { fixture in
            let clock = ManualClock()
            let directory = try LDAPSeed.directory(fixture, settings: LDAPSeed.settings(fixture, mode: .sync, cacheTTL: 30),
                                                   clock: clock)
            defer { directory.shutdown() }
            try await directory.sync()
            try await fixture.stop()
            await Self.expectUnavailable { try await directory.sync() }
            clock.advance(by: 60)
            #expect(LDAPSeed.level(try await directory.principal(id: "agent-l3")) == .l3)
            clock.advance(by: 31)  // sync_period 60 + cache_ttl 30 passed
            await Self.expectUnavailable { try await directory.principal(id: "agent-l3") }
            try await fixture.restart()
            try await directory.sync()
            #expect(LDAPSeed.level(try await directory.principal(id: "agent-l3")) == .l3)
        }
    }

    @Test("sync mode saves its copy; a new directory (a restarted server) serves it while slapd is down")
    func savedCopy() async throws {
        try await SlapdFixture.with(seed: LDAPSeed.ldif) { fixture in
            let clock = ManualClock()
            let file = fixture.directory.file("copy/corp.json")
            let settings = LDAPSeed.settings(fixture, mode: .sync, cacheTTL: 30)
            let first = LDAPDirectory(settings: settings, bindPassword: fixture.bindPassword, clock: clock,
                                      logger: .init(label: "test"), copyFile: file)
            try await first.sync()
            first.shutdown()
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            let saved = try String(contentsOfFile: file, encoding: .utf8)
            #expect(saved.contains("agent-deep") && !saved.contains(fixture.bindPassword) && !saved.contains(LDAPSeed.password))
            try await fixture.stop()
            let restarted = LDAPDirectory(settings: settings, bindPassword: fixture.bindPassword, clock: clock,
                                          logger: .init(label: "test"), copyFile: file)
            defer { restarted.shutdown() }
            #expect(LDAPSeed.level(try await restarted.principal(id: "agent-deep")) == .l4)
            clock.advance(by: 91)  // older than sync_period 60 + cache_ttl 30: fail closed
            await Self.expectUnavailable { try await restarted.principal(id: "agent-deep") }
        }
    }

    static func expectUnavailable<T>(_ body: () async throws -> T, sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            _ = try await body()
            Issue.record("expected directory_unavailable", sourceLocation: sourceLocation)
        } catch let error as HeraldError {
            #expect(error.code == .directoryUnavailable, sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected a HeraldError, got \(error)", sourceLocation: sourceLocation)
        }
    }
}

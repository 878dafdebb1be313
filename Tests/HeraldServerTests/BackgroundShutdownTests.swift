import Foundation
import HeraldServer
import HeraldTesting
import Logging
import ServiceLifecycle
import Testing

/// Every background piece of `herald serve` is a ServiceLifecycle service of the application,
/// so a graceful shutdown (SIGTERM) stops all of them: none keeps the process alive until its
/// next check, and none is left running detached.
@Suite("background services stop on graceful shutdown")
struct BackgroundShutdownTests {
    struct TimedOut: Error {}

    @Test("audit writer, key rotation, LDAP sync, federation refresh, both followers and the checkpoint run in the group and stop within seconds, long before their next check")
    func gracefulShutdown() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("realms/test.yaml", RealmFixtures.testRealm())
        var configuration = ServerConfiguration(realmsDirectory: directory.file("realms"),
                                                dataDirectory: directory.file("data"), host: "127.0.0.1", port: 0,
                                                publicURL: "https://herald.test", keyCheckInterval: .seconds(3600),
                                                auditCheckpointInterval: .seconds(3600))
        configuration.ldapSyncCheckInterval = .seconds(3600)
        configuration.federationRefreshCheckInterval = .seconds(3600)
        var logger = Logger(label: "herald.test")
        logger.logLevel = .error
        let herald = try await buildHerald(configuration: configuration, clock: ManualClock(), logger: logger)

        let names = Set(herald.application.services.map { "\(type(of: $0))" })
        for expected in ["AuditWriterService", "KeyRotationService", "LDAPSyncService", "FederationRefreshService",
                         "LifecycleFollower", "RealmFollower", "AuditCheckpointService"] {
            #expect(names.contains(expected), "\(expected) is not a service of the application: \(names.sorted())")
        }

        let group = ServiceGroup(configuration: .init(services: [herald.application], logger: logger))
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                try await Task.sleep(for: .seconds(30))
                throw TimedOut()
            }
            try await Task.sleep(for: .milliseconds(300))
            await group.triggerGracefulShutdown()
            // The first to finish: the group (every service returned) or the timeout.
            do { try await tasks.next() } catch {
                tasks.cancelAll()
                throw error
            }
            tasks.cancelAll()
        }
        #expect(ContinuousClock.now - start < .seconds(30))
    }
}

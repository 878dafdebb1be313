import Foundation
import HeraldCore
import HeraldServices
import HeraldStore
import HeraldTesting
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@Suite("audit writer service")
struct AuditWriterServiceTests {
    /// Records events until the group shuts down, then one last event, counting what the log
    /// acknowledged.
    final class Producer: Service {
        let audit: any AuditLog
        let acknowledged = Mutex<[AuditEntry]>([])

        init(audit: any AuditLog) { self.audit = audit }

        func run() async throws {
            var index = 0
            while !Task.isShuttingDownGracefully {
                let entry = try await audit.record(AuditFixtures.event(index))
                acknowledged.withLock { $0.append(entry) }
                index += 1
                if index % 50 == 0 { await Task.yield() }
            }
            // Services stop in reverse order: the writer, listed first, is still open now.
            let last = try await audit.record(AuditEvent(type: "producer.stopped", realm: "acme", time: Date(), actor: "system"))
            acknowledged.withLock { $0.append(last) }
        }
    }

    @Test("on graceful shutdown it flushes (and closes) the log after the services listed after it, losing no acknowledged entry")
    func shutdown() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.file("herald.sqlite"))
        let log = store.makeAuditLog(settings: AuditWriterSettings(maxPending: 8, maxBatch: 3), logger: nil)
        let producer = Producer(audit: log)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [AuditWriterService(audit: log, logger: Logger(label: "test"), closeOnShutdown: true), producer],
            logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while producer.acknowledged.withLock({ $0.count }) < 200 { try await Task.sleep(for: .milliseconds(5)) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let acknowledged = producer.acknowledged.withLock { $0 }
        #expect(acknowledged.last?.event.type == "producer.stopped")
        #expect(log.health.closed)
        await #expect(throws: (any Error).self) { try await log.record(AuditFixtures.event(0)) }
        let stored = try await store.storedEntries(realm: "acme", after: 0, limit: 100_000)
        #expect(stored.map(\.sequence) == Array(1...Int64(acknowledged.count)))
        #expect(Set(stored) == Set(acknowledged.map(StoredAuditRecord.entry)))
    }

    @Test("cancelled instead of shut down, it still flushes; without closeOnShutdown the log stays open")
    func cancellation() async throws {
        let store = try SQLiteStore()
        let log = store.makeAuditLog(settings: AuditWriterSettings(), logger: nil)
        let service = Task { try await AuditWriterService(audit: log, logger: Logger(label: "test")).run() }
        let pending = (0..<20).map { index in Task { try await log.record(AuditFixtures.event(index)) } }
        for task in pending { _ = try await task.value }
        service.cancel()
        try await service.value
        #expect(!log.health.closed)
        #expect(try await store.storedEntries(realm: "acme", after: 0, limit: 100).count == 20)
        _ = try await log.record(AuditFixtures.event(20))
    }
}

import Foundation
import HeraldCore
import Logging
import ServiceLifecycle

/// Background service that advances every realm's key slots on a fixed interval.
public struct KeyRotationService: Service {
    package let registry: RealmRegistry
    package let manager: KeyManager
    package let interval: Duration
    package let logger: Logger

    package init(registry: RealmRegistry, manager: KeyManager, interval: Duration, logger: Logger) {
        self.registry = registry
        self.manager = manager
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while true {
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
            await tick()
        }
    }

    /// One pass over all realms. A failing realm is logged and retried on the next pass;
    /// its current keys keep serving.
    public func tick() async {
        for realm in registry.all {
            do { try await manager.synchronize(realm.config, ring: realm.keyRing) } catch {
                logger.error("key rotation failed; will retry", metadata: ["realm.id": "\(realm.name)",
                                                                           "error": "\(error)"])
            }
        }
    }
}

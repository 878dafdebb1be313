import Foundation
import Logging
import ServiceLifecycle

/// Refreshes every peer of every realm when it is due: at the peer's `refresh` (or the
/// `refresh_hint` of its last bundle), sooner with jittered backoff after a failure.
package struct FederationRefreshService: Service {
    package let federation: FederationService
    package let registry: RealmRegistry
    /// How often due peers are looked for.
    package let tick: Duration

    package init(federation: FederationService, registry: RealmRegistry, tick: Duration) {
        self.federation = federation
        self.registry = registry
        self.tick = tick
    }

    package func run() async throws {
        while !Task.isCancelled {
            let now = federation.clock.now()
            for realm in registry.all {
                for (peer, record) in federation.peerRecords(realm: realm.name)
                where (record.status.nextRefresh ?? .distantPast) <= now {
                    await federation.refresh(realm: realm.name, entity: peer.entity, onlyIfDue: true)
                }
            }
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: tick) } } catch { return }
        }
    }
}

import Foundation
import HeraldCore
import Logging
import ServiceLifecycle

/// Applies the lifecycle changes other replicas publish (``LifecycleChangeFeed``) to this
/// replica's book, until graceful shutdown. With the in-process feed every change is this
/// replica's own and is skipped; with a shared feed this is how a kill made through replica A
/// is refused by replica B.
package struct LifecycleFollower: Service {
    package let lifecycle: LifecycleService
    /// Wait before retrying a change that could not be applied (a reload while the store is
    /// unreachable): the change is retried, never dropped, so the book cannot stay stale.
    package let retryDelay: Duration

    package init(lifecycle: LifecycleService, retryDelay: Duration = .seconds(1)) {
        self.lifecycle = lifecycle
        self.retryDelay = retryDelay
    }

    package func run() async throws {
        let changes = try await lifecycle.changes.subscribe()
        await cancelWhenGracefulShutdown {
            for await change in changes {
                while !Task.isCancelled {
                    do {
                        try await lifecycle.receive(change)
                        break
                    } catch {
                        lifecycle.logger.error("lifecycle change of another replica not applied; retrying",
                                               metadata: ["realm.id": "\(change.realm)", "error": "\(error)"])
                        try? await Task.sleep(for: retryDelay)
                    }
                }
            }
        }
    }
}

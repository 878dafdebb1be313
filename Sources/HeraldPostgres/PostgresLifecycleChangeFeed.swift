import HeraldCore
import Logging
import PostgresNIO

/// The replica-shared ``LifecycleChangeFeed``: each change is one `NOTIFY herald_changes`
/// with the change as JSON, sent right after the change's transaction committed (the
/// lifecycle service publishes after the store returned), and received through this
/// process's ``PostgresChangeListener``. A change too long for a `NOTIFY` (an agent with a
/// long gate history) goes out as a `reload` of its realm: the others read it from the store.
public struct PostgresLifecycleChangeFeed: LifecycleChangeFeed {
    let client: PostgresClient
    let logger: Logger
    let listener: PostgresChangeListener

    public func publish(_ change: LifecycleChange) async throws {
        let payload = try PostgresChangeMessage.lifecycle(change).payload()
            ?? PostgresChangeMessage.lifecycle(LifecycleChange(origin: change.origin, realm: change.realm,
                                                               kind: .reload)).payload()
        guard let payload else { throw HeraldError(.storage, "realm name \(change.realm) too long for a change notification") }
        try await PostgresChangeListener.notify(payload, client: client, logger: logger,
                                                what: "notifying the lifecycle change of \(change.realm)")
    }

    public func subscribe() async throws -> AsyncStream<LifecycleChange> { await listener.subscribeLifecycle() }
}

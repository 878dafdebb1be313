import HeraldCore
import Logging
import PostgresNIO

/// The replica-shared ``RealmChangeFeed``: each change is one `NOTIFY herald_changes` with
/// the change as JSON, sent right after the realm (or its keys) committed, and received
/// through this process's ``PostgresChangeListener``.
public struct PostgresRealmChangeFeed: RealmChangeFeed {
    let client: PostgresClient
    let logger: Logger
    let listener: PostgresChangeListener

    public func publish(_ change: RealmChange) async throws {
        guard let payload = try PostgresChangeMessage.realm(change).payload() else {
            throw HeraldError(.storage, "realm name \(change.realm) too long for a change notification")
        }
        try await PostgresChangeListener.notify(payload, client: client, logger: logger,
                                                what: "notifying the change of realm \(change.realm)")
    }

    public func subscribe() async throws -> AsyncStream<RealmChange> { await listener.subscribeRealms() }
}

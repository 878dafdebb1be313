import HeraldCore
import Synchronization

/// The realms being served, by name. Lookups are a lock and a dictionary read.
///
/// A realm's version is its runtime: an edit installs a new one, and what is rendered from a
/// realm (discovery, JWKS) is cached by the parts of the runtime it is made of, so the next
/// request after ``install(_:)`` serves the new version. Other replicas learn of the edit
/// through ``announce(realm:)`` on the realm change feed.
public final class RealmRegistry: Sendable {
    private let realms = Mutex<[String: RealmRuntime]>([:])
    /// The realm that also answers the host-root well-known paths.
    public let defaultRealm: String?
    /// Where stored realm changes go for the other replicas (in process: this one only).
    package let changes: any RealmChangeFeed
    /// This replica, so the echo of its own edits is not reloaded.
    package let replica: ReplicaID

    package init(defaultRealm: String?, changes: any RealmChangeFeed = LocalChangeFeed<RealmChange>(),
                 replica: ReplicaID = .process) {
        self.defaultRealm = defaultRealm
        self.changes = changes
        self.replica = replica
    }

    public func runtime(named name: String) -> RealmRuntime? { realms.withLock { $0[name] } }

    public var all: [RealmRuntime] { realms.withLock { Array($0.values) }.sorted { $0.name < $1.name } }

    package func install(_ runtime: RealmRuntime) { realms.withLock { $0[runtime.name] = runtime } }

    /// Tells the other replicas that `realm` was stored in a new version (after it is stored,
    /// installed here and audited). Fails closed: a change that could not be handed on is a
    /// 503, so the admin knows the edit is not yet served everywhere (repeating it is safe).
    package func announce(realm: String) async throws(ServiceError) {
        do { try await changes.publish(RealmChange(origin: replica, realm: realm)) } catch {
            throw ServiceError(.temporarilyUnavailable,
                               "the realm is stored but has not reached every replica; repeat the change shortly",
                               reason: "realm change feed: \(error)")
        }
    }
}

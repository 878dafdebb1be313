import HeraldCore
import Synchronization

/// The realms being served, by name. Lookups are a lock and a dictionary read.
public final class RealmRegistry: Sendable {
    private let realms = Mutex<[String: RealmRuntime]>([:])
    /// The realm that also answers the host-root well-known paths.
    public let defaultRealm: String?

    package init(defaultRealm: String?) { self.defaultRealm = defaultRealm }

    public func runtime(named name: String) -> RealmRuntime? { realms.withLock { $0[name] } }

    public var all: [RealmRuntime] { realms.withLock { Array($0.values) }.sorted { $0.name < $1.name } }

    package func install(_ runtime: RealmRuntime) { realms.withLock { $0[runtime.name] = runtime } }
}

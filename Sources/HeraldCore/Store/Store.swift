import Logging

/// Everything Herald keeps, behind one value the composition root opens from configuration
/// (``StoreBackends/open(_:access:logger:)``): realms, keys, lifecycle, federation state,
/// consumed capabilities and the audit log. Services still take the narrow repository
/// protocols; only the composition root and the offline tools hold a `Store`.
///
/// Every backend passes HeraldTesting's `StoreConformance` suite, which also checks the rules
/// of ``KeyRules`` and ``LifecycleRules`` that each backend must apply inside its transactions.
public protocol Store: RealmRepository, KeyRepository, LifecycleRepository, FederationPeerRepository,
    CapabilityRepository, AuditChainReader
{
    /// Where the store is (for logs and errors; passwords redacted by its description).
    var location: StoreLocation { get }

    /// Proves the store can be written now, writing nothing (readiness). Herald issues nothing
    /// it cannot audit, so a store that reads but cannot be written is unavailable.
    func probeWrite() async throws

    /// How many private keys (token and federation) the store holds sealed with a master key.
    /// Asked before a master key is created: sealed keys without their master key file are a
    /// restore or a move that forgot the key, and a fresh key could never open them.
    func sealedKeyCount() async throws -> Int

    /// The store's audit log, with its group-commit writer configured by `settings`. One per
    /// store and process: the writer caches each realm's chain head.
    func makeAuditLog(settings: AuditWriterSettings, logger: Logger?) -> any AuditLogWriter

    /// The replica-shared state in this store, for a store several processes serve at once
    /// (issue 14); nil for a store only one process opens, whose caller then uses the
    /// in-process implementations. One per store and process: it owns the change listener.
    func sharedState() -> SharedState?
}

extension Store {
    /// A store one process opens shares nothing.
    public func sharedState() -> SharedState? { nil }
}

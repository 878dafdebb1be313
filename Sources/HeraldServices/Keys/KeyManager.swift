import Foundation
import HeraldCore
import HeraldJOSE
import Logging

/// Applies the ``KeySchedule`` to stored keys, one transaction per realm, and reloads the
/// realm's ``KeyRing`` from what was committed.
public struct KeyManager: Sendable {
    package let store: any KeyRepository
    package let sealer: KeySealer
    package let clock: any HeraldClock
    package let logger: Logger
    /// Where key events are recorded; nil for offline tools.
    package let audit: (any AuditLog)?
    /// Where a committed key change is announced, so every other replica reloads the realm's
    /// keys (and JWKS) at once rather than at its next key check; nil for offline tools.
    package let changes: (any RealmChangeFeed)?
    /// This replica (the origin of its announcements, which it skips itself).
    package let replica: ReplicaID

    public init(store: any KeyRepository, sealer: KeySealer, clock: any HeraldClock, logger: Logger,
                audit: (any AuditLog)? = nil) {
        self.init(store: store, sealer: sealer, clock: clock, logger: logger, audit: audit, changes: nil,
                  replica: .process)
    }

    package init(store: any KeyRepository, sealer: KeySealer, clock: any HeraldClock, logger: Logger,
                 audit: (any AuditLog)?, changes: (any RealmChangeFeed)?, replica: ReplicaID) {
        self.store = store
        self.sealer = sealer
        self.clock = clock
        self.logger = logger
        self.audit = audit
        self.changes = changes
        self.replica = replica
    }

    /// Advances the realm's key slots to now and installs the result into `ring`.
    @discardableResult
    public func synchronize(_ realm: RealmConfig, ring: KeyRing) async throws -> [KeyEvent] {
        try await change(realm, ring: ring) { schedule, keys, now in try schedule.advance(&keys, now: now) }
    }

    /// Runs `edit` on the realm's keys in one transaction, then reloads `ring`.
    @discardableResult
    public func change(_ realm: RealmConfig, ring: KeyRing?,
                       _ edit: @escaping @Sendable (KeySchedule, inout [StoredKey], Date) throws -> [KeyEvent])
        async throws -> [KeyEvent]
    {
        let schedule = KeySchedule(realm: realm, sealer: sealer)
        let now = clock.now()
        let events = EventBox()
        let keys = try await store.modifyKeys(realm: realm.name) { keys in
            events.value = try edit(schedule, &keys, now)
        }
        for event in events.value {
            logger.notice("signing key changed", metadata: [
                "realm.id": "\(event.realm)", "key.kid": "\(event.kid)", "key.alg": "\(event.algorithm.rawValue)",
                "key.from": "\(event.from?.rawValue ?? "new")", "key.to": "\(event.to.rawValue)",
            ])
        }
        try ring?.install(keys, sealer: sealer)
        if !events.value.isEmpty { await announce(realm: realm.name) }
        for event in events.value {
            try await audit?.record(AuditEvent(
                type: "key.\(event.to.rawValue)", realm: event.realm, time: now, actor: "system",
                detail: ["kid": event.kid, "alg": event.algorithm.rawValue, "from": event.from?.rawValue ?? "new"]))
        }
        return events.value
    }

    /// Tells the other replicas the realm's keys changed. Not fatal when it fails: the keys are
    /// committed and each replica reads them at its next key check (`--key-check-interval`,
    /// shorter than any publish-ahead), and a prepared key signs only after publish-ahead.
    private func announce(realm: String) async {
        guard let changes else { return }
        do { try await changes.publish(RealmChange(origin: replica, realm: realm)) } catch {
            logger.error("key change not announced to the other replicas; they read it at their next key check",
                         metadata: ["realm.id": "\(realm)", "error": "\(error)"])
        }
    }
}

/// Carries the events out of the store's transaction closure.
private final class EventBox: @unchecked Sendable {
    // Written once inside the transaction and read after it returns: no concurrent access.
    var value: [KeyEvent] = []
}

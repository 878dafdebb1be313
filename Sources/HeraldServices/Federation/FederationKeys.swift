import Foundation
import HeraldCore
import HeraldJOSE
import Logging

/// A realm's federation keys (wire-formats §7): kept apart from its token keys, so that a
/// peer pins a key that never signs tokens. There is always a current key (`active`, signs
/// entity statements and bundles) and a next key (`prepared`, announced in every bundle), so a
/// rollover never leaves a peer without a key it already knows: the next key becomes current,
/// a new next key is made, and the old current key is dropped.
package struct FederationKeys: Sendable {
    package let store: any KeyRepository
    package let sealer: KeySealer
    package let clock: any HeraldClock
    package let audit: (any AuditLog)?
    package let logger: Logger

    package init(store: any KeyRepository, sealer: KeySealer, clock: any HeraldClock, audit: (any AuditLog)?,
                 logger: Logger) {
        self.store = store
        self.sealer = sealer
        self.clock = clock
        self.audit = audit
        self.logger = logger
    }

    /// The ring name (and sealing context) of a realm's federation keys.
    package static func ringName(_ realm: String) -> String { "\(realm)#federation" }

    /// Makes sure `realm` has a current and a next key; returns the ring holding them.
    package func load(realm: String) async throws -> KeyRing {
        let ring = KeyRing(realm: Self.ringName(realm))
        let keys = try await store.modifyKeys(realm: realm, purpose: .federation) { keys in
            try self.fill(&keys, realm: realm)
        }
        try ring.install(keys, sealer: sealer)
        return ring
    }

    /// Promotes the next key to current and makes a new next key; the old current key is
    /// revoked (peers have known the next key since the last bundle they accepted).
    package func rotate(realm: String, ring: KeyRing, actor: String) async throws -> (old: String?, current: String, next: String) {
        let now = clock.now()
        let old = try await store.keys(realm: realm, purpose: .federation).first { $0.state == .active }?.kid
        let keys = try await store.modifyKeys(realm: realm, purpose: .federation) { keys in
            for index in keys.indices where keys[index].state == .active {
                keys[index].state = .revoked
                keys[index].revokedAt = now
                keys[index].sealedPrivateKey = []
            }
            for index in keys.indices where keys[index].state == .prepared {
                keys[index].state = .active
                keys[index].activatedAt = now
            }
            try self.fill(&keys, realm: realm)
        }
        try ring.install(keys, sealer: sealer)
        let current = keys.first { $0.state == .active }!.kid, next = keys.first { $0.state == .prepared }!.kid
        logger.notice("federation key rotated", metadata: ["realm.id": "\(realm)", "key.kid": "\(current)"])
        try await audit?.record(AuditEvent(type: "federation.key_rotated", realm: realm, time: now, actor: actor,
                                           detail: ["old": old ?? "", "current": current, "next": next]))
        return (old, current, next)
    }

    /// Adds the missing current and next keys (ES256: what every JOSE library verifies).
    private func fill(_ keys: inout [StoredKey], realm: String) throws {
        let now = clock.now()
        for state in [KeyState.active, .prepared] where !keys.contains(where: { $0.state == state }) {
            let key = SigningKey.generate(.es256)
            let sealed = try sealer.seal(key.privateKeyBytes, realm: Self.ringName(realm), kid: key.kid)
            keys.append(StoredKey(realm: realm, kid: key.kid, algorithm: .es256, state: state, createdAt: now,
                                  activateAt: now, activatedAt: state == .active ? now : nil,
                                  publicJWK: key.publicKey.json(includeMetadata: false), sealedPrivateKey: sealed))
        }
    }
}

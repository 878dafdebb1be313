import Foundation
import HeraldCore
import HeraldJOSE

/// A key changing state, for the log (and, later, the audit chain).
public struct KeyEvent: Sendable, Hashable, CustomStringConvertible {
    public let realm: String
    public let kid: String
    public let algorithm: SigningAlgorithm
    public let from: KeyState?
    public let to: KeyState

    public var description: String { "\(realm) \(algorithm.rawValue) key \(kid): \(from?.rawValue ?? "new") → \(to.rawValue)" }
}

/// The slot rules (architecture convention 6), as pure functions over a realm's keys.
///
/// Per realm and algorithm: exactly one active key signs. `publish_ahead` before the active
/// key's rotation is due, a prepared key is published; it activates once it has been
/// published for `publish_ahead` and rotation is due, and the old key retires. A retired
/// key stays published until every token it signed has expired (token lifetime plus clock
/// skew), then is revoked and its private key erased.
public struct KeySchedule: Sendable {
    /// Allowance for relying parties whose clocks run behind.
    public static let clockSkew: TimeInterval = 60

    package let realm: RealmConfig
    package let sealer: KeySealer

    public init(realm: RealmConfig, sealer: KeySealer) {
        self.realm = realm
        self.sealer = sealer
    }

    /// Brings `keys` up to date at `now`; returns what changed.
    public func advance(_ keys: inout [StoredKey], now: Date) throws -> [KeyEvent] {
        var events: [KeyEvent] = []
        let rotation = TimeInterval(realm.keyRotationSeconds), ahead = TimeInterval(realm.keyPublishAheadSeconds)
        for algorithm in realm.algorithms {
            let prepared = keys.indices.filter { keys[$0].algorithm == algorithm && keys[$0].state == .prepared }
                .sorted { (keys[$0].activateAt ?? .distantPast) < (keys[$1].activateAt ?? .distantPast) }
            guard let active = keys.firstIndex(where: { $0.algorithm == algorithm && $0.state == .active }) else {
                // Nothing signs yet (first start, or a new algorithm): there are no tokens a
                // relying party could hold, so the key may sign at once.
                if let next = prepared.first {
                    events.append(transition(&keys[next], to: .active, now: now))
                } else {
                    events.append(try create(algorithm, state: .active, now: now, activateAt: now, in: &keys))
                }
                continue
            }
            if let next = prepared.first, let due = keys[next].activateAt, due <= now {
                events.append(retire(&keys[active], now: now))
                events.append(transition(&keys[next], to: .active, now: now))
            } else if prepared.isEmpty, let since = keys[active].activatedAt, since + rotation - ahead <= now {
                let activateAt = max(since + rotation, now + ahead)
                events.append(try create(algorithm, state: .prepared, now: now, activateAt: activateAt, in: &keys))
            }
        }
        // Algorithms the realm no longer lists stop signing and, once safe, disappear.
        for index in keys.indices where !realm.algorithms.contains(keys[index].algorithm) {
            switch keys[index].state {
            case .active: events.append(retire(&keys[index], now: now))
            case .prepared: events.append(revoke(&keys[index], now: now))
            case .retired, .revoked: break
            }
        }
        for index in keys.indices where keys[index].state == .retired {
            if let until = keys[index].publishUntil, until <= now { events.append(revoke(&keys[index], now: now)) }
        }
        return events
    }

    /// An operator's rotation: prepares the next key of `algorithm` (reusing a prepared one).
    /// It signs after `publish_ahead`, or at once with `immediately` (a compromised key:
    /// the current key retires now, and tokens it signed remain verifiable until expiry).
    public func rotate(_ keys: inout [StoredKey], algorithm: SigningAlgorithm, immediately: Bool, now: Date) throws
        -> [KeyEvent]
    {
        var events: [KeyEvent] = []
        let activateAt = immediately ? now : now + TimeInterval(realm.keyPublishAheadSeconds)
        if let next = keys.firstIndex(where: { $0.algorithm == algorithm && $0.state == .prepared }) {
            keys[next].activateAt = min(keys[next].activateAt ?? activateAt, activateAt)
        } else {
            events.append(try create(algorithm, state: .prepared, now: now, activateAt: activateAt, in: &keys))
        }
        return events + (try advance(&keys, now: now))
    }

    /// Revokes one key at once (it leaves the JWKS; tokens it signed stop verifying).
    public func revoke(_ keys: inout [StoredKey], kid: String, now: Date) throws -> [KeyEvent] {
        guard let index = keys.firstIndex(where: { $0.kid == kid && $0.state != .revoked }) else {
            throw Self.missing(kid, expected: nil, in: keys, realm: realm.name)
        }
        let event = revoke(&keys[index], now: now)
        return [event] + (try advance(&keys, now: now))
    }

    /// Makes the prepared key `kid` sign now; the current key of its algorithm retires.
    public func activate(_ keys: inout [StoredKey], kid: String, now: Date) throws -> [KeyEvent] {
        guard let index = keys.firstIndex(where: { $0.kid == kid && $0.state == .prepared }) else {
            throw Self.missing(kid, expected: .prepared, in: keys, realm: realm.name)
        }
        keys[index].activateAt = now
        return try advance(&keys, now: now)
    }

    /// Stops the active key `kid` signing; a prepared key of its algorithm (or a new one)
    /// takes over at once, and `kid` stays published until its tokens have expired.
    public func retire(_ keys: inout [StoredKey], kid: String, now: Date) throws -> [KeyEvent] {
        guard let index = keys.firstIndex(where: { $0.kid == kid && $0.state == .active }) else {
            throw Self.missing(kid, expected: .active, in: keys, realm: realm.name)
        }
        let event = retire(&keys[index], now: now)
        return [event] + (try advance(&keys, now: now))
    }

    /// `notFound` for an unknown kid; `conflict` naming its state for a key in the wrong slot.
    package static func missing(_ kid: String, expected: KeyState?, in keys: [StoredKey], realm: String) -> HeraldError {
        guard let key = keys.first(where: { $0.kid == kid }) else {
            return HeraldError(.notFound, "realm \(realm) has no key \(kid)")
        }
        let wanted = expected.map { "must be \($0.rawValue)" } ?? "must still be published"
        return HeraldError(.conflict, "key \(kid) of realm \(realm) is \(key.state.rawValue); it \(wanted)")
    }

    private func create(_ algorithm: SigningAlgorithm, state: KeyState, now: Date, activateAt: Date,
                        in keys: inout [StoredKey]) throws -> KeyEvent {
        let key = SigningKey.generate(algorithm)
        let sealed = try sealer.seal(key.privateKeyBytes, realm: realm.name, kid: key.kid)
        keys.append(StoredKey(realm: realm.name, kid: key.kid, algorithm: algorithm, state: state, createdAt: now,
                              activateAt: activateAt, activatedAt: state == .active ? now : nil,
                              publicJWK: key.publicKey.json(includeMetadata: false), sealedPrivateKey: sealed))
        return KeyEvent(realm: realm.name, kid: key.kid, algorithm: algorithm, from: nil, to: state)
    }

    private func transition(_ key: inout StoredKey, to state: KeyState, now: Date) -> KeyEvent {
        let event = KeyEvent(realm: realm.name, kid: key.kid, algorithm: key.algorithm, from: key.state, to: state)
        key.state = state
        if state == .active { key.activatedAt = now }
        return event
    }

    private func retire(_ key: inout StoredKey, now: Date) -> KeyEvent {
        key.retiredAt = now
        key.publishUntil = now + TimeInterval(realm.tokenLifetimeSeconds) + Self.clockSkew
        return transition(&key, to: .retired, now: now)
    }

    private func revoke(_ key: inout StoredKey, now: Date) -> KeyEvent {
        key.revokedAt = now
        key.sealedPrivateKey = []
        return transition(&key, to: .revoked, now: now)
    }
}

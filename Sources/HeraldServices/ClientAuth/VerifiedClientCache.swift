import Crypto
import Synchronization

/// `client_secret_basic` successes, by the SHA-256 of the exact `Authorization` header value,
/// so that a client presenting the same header again skips decoding it and the secret's HMAC.
///
/// What makes a hit safe:
/// - only a success is stored, and only for a client registered for `client_secret_basic`
///   whose secret the realm's own digest confirmed (never a directory bind, whose password
///   can change outside Herald);
/// - an entry belongs to the realm runtime that confirmed it (its identity is held, so the
///   object cannot be freed and another take its address), and a realm runtime is immutable
///   and replaced whole on every realm change: a rotated secret, a removed client or any
///   other change installs a new runtime, and every entry of the old one misses from then on;
/// - the key is a digest: no header, and so no secret, is kept in memory;
/// - it is bounded: at ``limit`` entries it starts over (only valid credentials get in, so
///   filling it takes as many clients, not a flood of guesses).
///
/// The brute-force limits still see every request (``ClientAuthenticator`` admits a hit as it
/// admits any other attempt).
package final class VerifiedClientCache: Sendable {
    /// Most entries before the cache starts over.
    package static let defaultLimit = 4_096

    private struct Entry: Sendable {
        /// The runtime that verified the secret (``RealmRuntime/resolved`` is its identity).
        let version: ResolvedPrincipalCache
        let realm: String
        let profile: ClientProfile
    }

    private let entries = Mutex<[SHA256Digest: Entry]>([:])
    package let limit: Int

    package init(limit: Int = VerifiedClientCache.defaultLimit) { self.limit = max(1, limit) }

    /// The client `header` authenticated as in this very realm runtime, or nil.
    package func profile(header: String, realm: RealmRuntime) -> ClientProfile? {
        let key = SHA256.hash(data: Array(header.utf8))
        return entries.withLock { entries -> ClientProfile? in
            guard let entry = entries[key] else { return nil }
            guard entry.version === realm.resolved, entry.realm == realm.name else {
                entries[key] = nil  // verified by a runtime that has since been replaced
                return nil
            }
            return entry.profile
        }
    }

    /// Remembers that `header` authenticated `profile` in `realm`; ignored unless the client is
    /// registered for `client_secret_basic`.
    package func remember(header: String, profile: ClientProfile, realm: RealmRuntime) {
        guard profile.client.auth == .clientSecretBasic else { return }
        let key = SHA256.hash(data: Array(header.utf8))
        let entry = Entry(version: realm.resolved, realm: realm.name, profile: profile)
        entries.withLock { entries in
            if entries.count >= limit, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = entry
        }
    }

    /// Entries held now (tests).
    package var count: Int { entries.withLock { $0.count } }
}

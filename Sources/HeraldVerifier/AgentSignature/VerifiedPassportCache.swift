import Foundation
import Synchronization

/// Passports already verified, by their exact compact JWT, until they expire: an agent
/// sends the same passport with every request, so in the steady state a request costs one
/// signature verification (the request's) rather than two.
///
/// Sound because verification is a pure function of the token text and the issuer's key,
/// and the expiry is re-checked on every hit. Bounded: when full, expired entries go
/// first, then an arbitrary one — dropping a live entry only costs one re-verification.
/// Safe to share between tasks.
public final class VerifiedPassportCache: Sendable {
    private struct Entry {
        let passport: VerifiedPassport
        /// The first instant the passport is no longer accepted (`exp` plus leeway).
        let deadline: Date
    }

    private let entries = Mutex([String: Entry]())
    /// The most passports held.
    public let capacity: Int

    /// A cache of at most `capacity` passports (0 turns caching off).
    public init(capacity: Int = 10_000) {
        precondition(capacity >= 0, "a negative capacity makes no sense")
        self.capacity = capacity
    }

    /// The passport verified earlier for `token`, if it is still inside its validity at `now`.
    public func passport(for token: String, now: Date) -> VerifiedPassport? {
        entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard now < entry.deadline else {
                entries.removeValue(forKey: token)
                return nil
            }
            return entry.passport
        }
    }

    /// Remembers `passport`, verified from `token`, until `deadline`.
    public func insert(_ passport: VerifiedPassport, for token: String, until deadline: Date, now: Date) {
        guard capacity > 0, now < deadline else { return }
        entries.withLock { entries in
            if entries.count >= capacity, entries[token] == nil {
                entries = entries.filter { $0.value.deadline > now }
                if entries.count >= capacity { entries.remove(at: entries.startIndex) }
            }
            entries[token] = Entry(passport: passport, deadline: deadline)
        }
    }

    /// How many passports are held (expired ones included until they are next touched).
    public var count: Int { entries.withLock { $0.count } }
}

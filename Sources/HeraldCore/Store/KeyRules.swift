/// The rules of a stored key set that every ``KeyRepository`` applies inside
/// ``KeyRepository/modifyKeys(realm:purpose:_:)``, after the caller's change and before
/// anything is written, so that no backend keeps a change that breaks them (architecture
/// convention 6: keys move through slots and are never deleted).
public enum KeyRules {
    /// Throws ``HeraldError/Code/conflict`` when `after` (the caller's edit of `before`, the
    /// realm's `purpose` keys) breaks a rule:
    /// - keys are never removed or duplicated, only revoked: every kid of `before` is still
    ///   there, each kid once;
    /// - every key belongs to `realm`;
    /// - a stored key's algorithm, creation time and public key never change (a new key is a
    ///   new kid);
    /// - at most one key signs: one active key per algorithm for tokens, one active key at
    ///   all for federation documents.
    public static func check(before: [StoredKey], after: [StoredKey], realm: String, purpose: KeyPurpose) throws {
        var kept: [String: StoredKey] = [:]
        for key in after {
            guard kept.updateValue(key, forKey: key.kid) == nil else {
                throw HeraldError(.conflict, "keys are never removed or duplicated, only revoked (\(key.kid) twice)")
            }
            guard key.realm == realm else { throw HeraldError(.conflict, "key \(key.kid) belongs to \(key.realm)") }
        }
        for old in before {
            guard let new = kept[old.kid] else {
                throw HeraldError(.conflict, "keys are never removed or duplicated, only revoked (\(old.kid) removed)")
            }
            guard new.algorithm == old.algorithm, new.createdAt == old.createdAt, new.publicJWK == old.publicJWK else {
                throw HeraldError(.conflict, "key \(old.kid) keeps its algorithm, creation time and public key")
            }
        }
        let active = after.filter { $0.state == .active }
        switch purpose {
        case .token:
            var seen = Set<SigningAlgorithm>()
            for key in active where !seen.insert(key.algorithm).inserted {
                throw HeraldError(.conflict, "realm \(realm) would have two active \(key.algorithm.rawValue) keys")
            }
        case .federation:
            guard active.count <= 1 else {
                throw HeraldError(.conflict, "realm \(realm) would have \(active.count) active federation keys")
            }
        }
    }

    /// The order in which a backend writes the changed keys: demotions first, so that a
    /// one-active-key constraint never sees two active keys in the middle of a swap.
    public static func writeOrder(_ keys: [StoredKey]) -> [StoredKey] {
        keys.filter { $0.state != .active } + keys.filter { $0.state == .active }
    }
}

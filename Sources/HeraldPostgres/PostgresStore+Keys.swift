import Foundation
import HeraldCore
import PostgresNIO

extension PostgresStore: KeyRepository {
    public func keys(realm: String, purpose: KeyPurpose) async throws -> [StoredKey] {
        try await read("reading keys of \(realm)") { connection in
            try await Self.fetchKeys(connection, realm: realm, table: Self.table(purpose), store: self)
        }
    }

    /// Token keys live in `signing_keys`, federation keys in `federation_keys` (same shape).
    static func table(_ purpose: KeyPurpose) -> String {
        switch purpose {
        case .token: "signing_keys"
        case .federation: "federation_keys"
        }
    }

    /// Read, changed, checked against ``KeyRules`` and written in one transaction, under the
    /// realm's row lock so two replicas rotating at once cannot both promote a key. Private
    /// keys are stored exactly as given: sealed by the key service with the master key.
    public func modifyKeys(realm: String, purpose: KeyPurpose,
                           _ change: @Sendable (inout [StoredKey]) throws -> Void) async throws -> [StoredKey]
    {
        let table = Self.table(purpose)
        return try await transaction("changing keys of \(realm)") { connection in
            try await lockRealm(realm, connection)
            let before = try await Self.fetchKeys(connection, realm: realm, table: table, store: self)
            var after = before
            try change(&after)
            try KeyRules.check(before: before, after: after, realm: realm, purpose: purpose)
            let old = Dictionary(uniqueKeysWithValues: before.map { ($0.kid, $0) })
            for key in KeyRules.writeOrder(after) where old[key.kid] != key {
                try await Self.upsert(connection, key, table: table, store: self)
            }
            return try await Self.fetchKeys(connection, realm: realm, table: table, store: self)
        }
    }

    private typealias KeyRow = (String, String, String, String, Double, Double?, Double?, Double?, Double?, Double?,
                                String, Data)

    private static func fetchKeys(_ connection: PostgresConnection, realm: String, table: String,
                                  store: PostgresStore) async throws -> [StoredKey] {
        let rows = try await connection.query("""
            SELECT realm, kid, algorithm, state, created_at, activate_at, activated_at, retired_at, publish_until,
                   revoked_at, public_jwk, sealed_private_key
            FROM \(unescaped: table) WHERE realm = \(realm) ORDER BY created_at, kid COLLATE "C"
            """, logger: store.logger)
        var keys: [StoredKey] = []
        for try await row in rows.decode(KeyRow.self) {
            func date(_ seconds: Double?) -> Date? { seconds.map(Date.init(timeIntervalSince1970:)) }
            guard let algorithm = SigningAlgorithm(rawValue: row.2), let state = KeyState(rawValue: row.3) else {
                throw HeraldError(.storage, "key row \(realm)/\(row.1) has unknown values")
            }
            keys.append(StoredKey(
                realm: row.0, kid: row.1, algorithm: algorithm, state: state, createdAt: Date(timeIntervalSince1970: row.4),
                activateAt: date(row.5), activatedAt: date(row.6), retiredAt: date(row.7), publishUntil: date(row.8),
                revokedAt: date(row.9), publicJWK: row.10, sealedPrivateKey: Array(row.11)))
        }
        return keys
    }

    private static func upsert(_ connection: PostgresConnection, _ key: StoredKey, table: String,
                               store: PostgresStore) async throws {
        func seconds(_ date: Date?) -> Double? { date?.timeIntervalSince1970 }
        try await connection.query("""
            INSERT INTO \(unescaped: table) (realm, kid, algorithm, state, created_at, activate_at, activated_at,
                retired_at, publish_until, revoked_at, public_jwk, sealed_private_key)
            VALUES (\(key.realm), \(key.kid), \(key.algorithm.rawValue), \(key.state.rawValue),
                \(key.createdAt.timeIntervalSince1970), \(seconds(key.activateAt)), \(seconds(key.activatedAt)),
                \(seconds(key.retiredAt)), \(seconds(key.publishUntil)), \(seconds(key.revokedAt)), \(key.publicJWK),
                \(Data(key.sealedPrivateKey)))
            ON CONFLICT (realm, kid) DO UPDATE SET
                state = excluded.state, activate_at = excluded.activate_at, activated_at = excluded.activated_at,
                retired_at = excluded.retired_at, publish_until = excluded.publish_until,
                revoked_at = excluded.revoked_at, sealed_private_key = excluded.sealed_private_key
            """, logger: store.logger)
    }
}

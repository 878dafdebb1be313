import Foundation
import GRDB
import HeraldCore

extension SQLiteStore: KeyRepository {
    public func keys(realm: String, purpose: KeyPurpose) async throws -> [StoredKey] {
        try await mapErrors("reading keys of \(realm)") {
            try await writer.read { db in try Self.fetchKeys(db, realm: realm, table: Self.table(purpose)) }
        }
    }

    /// Token keys live in `signing_keys`, federation keys in `federation_keys` (same shape).
    static func table(_ purpose: KeyPurpose) -> String {
        switch purpose {
        case .token: "signing_keys"
        case .federation: "federation_keys"
        }
    }

    public func modifyKeys(realm: String, purpose: KeyPurpose,
                           _ change: @Sendable (inout [StoredKey]) throws -> Void) async throws -> [StoredKey]
    {
        let table = Self.table(purpose)
        return try await mapErrors("changing keys of \(realm)") {
            try await writer.write { db in
                let before = try Self.fetchKeys(db, realm: realm, table: table)
                var after = before
                try change(&after)
                try KeyRules.check(before: before, after: after, realm: realm, purpose: purpose)
                let old = Dictionary(uniqueKeysWithValues: before.map { ($0.kid, $0) })
                for key in KeyRules.writeOrder(after) where old[key.kid] != key {
                    try Self.upsert(db, key, table: table)
                }
                return try Self.fetchKeys(db, realm: realm, table: table)
            }
        }
    }

    private static func fetchKeys(_ db: Database, realm: String, table: String) throws -> [StoredKey] {
        try Row.fetchAll(db, sql: "SELECT * FROM \(table) WHERE realm = ? ORDER BY created_at, kid",
                         arguments: [realm]).map { row in
            func date(_ column: String) -> Date? { (row[column] as Double?).map(Date.init(timeIntervalSince1970:)) }
            let algorithmName: String = row["algorithm"], stateName: String = row["state"]
            guard let algorithm = SigningAlgorithm(rawValue: algorithmName), let state = KeyState(rawValue: stateName)
            else { throw HeraldError(.storage, "key row \(realm)/\(row["kid"] as String) has unknown values") }
            return StoredKey(
                realm: row["realm"], kid: row["kid"], algorithm: algorithm, state: state,
                createdAt: date("created_at")!, activateAt: date("activate_at"), activatedAt: date("activated_at"),
                retiredAt: date("retired_at"), publishUntil: date("publish_until"), revokedAt: date("revoked_at"),
                publicJWK: row["public_jwk"], sealedPrivateKey: Array(row["sealed_private_key"] as Data))
        }
    }

    private static func upsert(_ db: Database, _ key: StoredKey, table: String) throws {
        func seconds(_ date: Date?) -> Double? { date?.timeIntervalSince1970 }
        try db.execute(sql: """
            INSERT INTO \(table) (realm, kid, algorithm, state, created_at, activate_at, activated_at, retired_at,
                                      publish_until, revoked_at, public_jwk, sealed_private_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(realm, kid) DO UPDATE SET
                state = excluded.state, activate_at = excluded.activate_at, activated_at = excluded.activated_at,
                retired_at = excluded.retired_at, publish_until = excluded.publish_until,
                revoked_at = excluded.revoked_at, sealed_private_key = excluded.sealed_private_key
            """, arguments: [key.realm, key.kid, key.algorithm.rawValue, key.state.rawValue,
                             key.createdAt.timeIntervalSince1970, seconds(key.activateAt), seconds(key.activatedAt),
                             seconds(key.retiredAt), seconds(key.publishUntil), seconds(key.revokedAt),
                             key.publicJWK, Data(key.sealedPrivateKey)])
    }
}

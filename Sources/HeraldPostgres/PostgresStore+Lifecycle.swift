import Foundation
import HeraldCore
import PostgresNIO

extension PostgresStore: LifecycleRepository {
    public func lifecycleState(realm: String) async throws -> RealmLifecycleState {
        try await transaction("reading the lifecycle of \(realm)") { connection in
            // One snapshot for the three tables, as SQLite's read transaction gives.
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            var state = RealmLifecycleState()
            for try await data in try await connection.query(
                "SELECT record FROM agent_lifecycle WHERE realm = \(realm)", logger: logger).decode(Data.self) {
                let record = try LifecycleCoding.decode(AgentLifecycle.self, data)
                state.agents[record.agentID] = record
            }
            for try await (org, data) in try await connection.query(
                "SELECT org, record FROM org_kills WHERE realm = \(realm)", logger: logger).decode((String, Data).self) {
                state.orgKills[org] = try LifecycleCoding.decode(KillRecord.self, data)
            }
            for try await (jti, expires) in try await connection.query(
                "SELECT jti, expires_at FROM revoked_tokens WHERE realm = \(realm)", logger: logger)
                .decode((String, Double).self) {
                state.revokedTokens[jti] = Date(timeIntervalSince1970: expires)
            }
            return state
        }
    }

    /// Read, changed, checked against ``LifecycleRules`` and written in one transaction under
    /// the realm's row lock, so two replicas registering agents at once never hand out one
    /// status index twice (the unique constraint is the last line, not the mechanism).
    public func modifyAgentLifecycle(
        realm: String, agentID: String,
        _ change: @Sendable (_ record: inout AgentLifecycle?, _ nextStatusIndex: Int) throws -> Void
    ) async throws -> AgentLifecycle? {
        try await transaction("changing the lifecycle of \(realm)/\(agentID)") { connection in
            try await lockRealm(realm, connection)
            var stored: Data?
            for try await data in try await connection.query(
                "SELECT record FROM agent_lifecycle WHERE realm = \(realm) AND agent_id = \(agentID)", logger: logger)
                .decode(Data.self) { stored = data }
            let before = try stored.map { try LifecycleCoding.decode(AgentLifecycle.self, $0) }
            var highest: Int?
            for try await value in try await connection.query(
                "SELECT MAX(status_index)::BIGINT FROM agent_lifecycle WHERE realm = \(realm)", logger: logger)
                .decode(Int?.self) { highest = value }
            let next = LifecycleRules.nextStatusIndex(highestInUse: highest)
            var record = before
            try change(&record, next)
            try LifecycleRules.check(before: before, after: record, agentID: agentID, nextStatusIndex: next)
            guard let record else {
                try await connection.query(
                    "DELETE FROM agent_lifecycle WHERE realm = \(realm) AND agent_id = \(agentID)", logger: logger)
                return nil
            }
            let data = try LifecycleCoding.encode(record)
            try await connection.query("""
                INSERT INTO agent_lifecycle (realm, agent_id, status_index, record)
                VALUES (\(realm), \(agentID), \(record.statusIndex), \(data))
                ON CONFLICT (realm, agent_id) DO UPDATE SET status_index = excluded.status_index, record = excluded.record
                """, logger: logger)
            return record
        }
    }

    public func setOrgKill(realm: String, org: String, kill: KillRecord?) async throws {
        let data = try kill.map { try LifecycleCoding.encode($0) }
        let what = "changing the kill switch of \(realm)/\(org)"
        if let data {
            try await execute(what, """
                INSERT INTO org_kills (realm, org, record) VALUES (\(realm), \(org), \(data))
                ON CONFLICT (realm, org) DO UPDATE SET record = excluded.record
                """)
        } else {
            try await execute(what, "DELETE FROM org_kills WHERE realm = \(realm) AND org = \(org)")
        }
    }

    public func saveRevokedToken(realm: String, jti: String, expiresAt: Date) async throws {
        let now = Date().timeIntervalSince1970, expires = expiresAt.timeIntervalSince1970
        try await transaction("revoking a token of \(realm)") { connection in
            try await connection.query("DELETE FROM revoked_tokens WHERE realm = \(realm) AND expires_at < \(now)",
                                       logger: logger)
            try await connection.query("""
                INSERT INTO revoked_tokens (realm, jti, expires_at) VALUES (\(realm), \(jti), \(expires))
                ON CONFLICT (realm, jti) DO NOTHING
                """, logger: logger)
        }
    }

    public func savePassport(_ passport: PassportRecord) async throws {
        let data = try LifecycleCoding.encode(passport)
        try await execute("saving passport \(passport.id)", """
            INSERT INTO passports (realm, passport_id, agent_id, record)
            VALUES (\(passport.realm), \(passport.id), \(passport.agentID), \(data))
            """)
    }

    public func passport(realm: String, id: String) async throws -> PassportRecord? {
        let data = try await read("reading passport \(id)") { connection in
            var found: Data?
            for try await data in try await connection.query(
                "SELECT record FROM passports WHERE realm = \(realm) AND passport_id = \(id)", logger: logger)
                .decode(Data.self) { found = data }
            return found
        }
        return try data.map { try LifecycleCoding.decode(PassportRecord.self, $0) }
    }
}

/// The JSON form of lifecycle records, byte for byte the SQLite store's (sorted keys, dates
/// in seconds since 1970), so a record reads the same whichever store wrote it.
enum LifecycleCoding {
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return try encoder.encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        do { return try decoder.decode(type, from: data) } catch {
            throw HeraldError(.storage, "a stored \(T.self) does not decode: \(error)")
        }
    }
}

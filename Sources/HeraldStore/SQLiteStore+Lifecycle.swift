import Foundation
import GRDB
import HeraldCore

extension SQLiteStore: LifecycleRepository {
    /// Migration 0004. Records are JSON (sorted keys) beside the columns that are looked up
    /// or must be unique; the JSON form is the domain type's Codable form.
    static func createLifecycle(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE agent_lifecycle (
                realm TEXT NOT NULL REFERENCES realms(name) ON DELETE CASCADE,
                agent_id TEXT NOT NULL,
                status_index INTEGER NOT NULL,
                record BLOB NOT NULL,
                PRIMARY KEY (realm, agent_id),
                UNIQUE (realm, status_index)
            ) STRICT;
            CREATE TABLE org_kills (
                realm TEXT NOT NULL REFERENCES realms(name) ON DELETE CASCADE,
                org TEXT NOT NULL,
                record BLOB NOT NULL,
                PRIMARY KEY (realm, org)
            ) STRICT;
            CREATE TABLE revoked_tokens (
                realm TEXT NOT NULL REFERENCES realms(name) ON DELETE CASCADE,
                jti TEXT NOT NULL,
                expires_at REAL NOT NULL,
                PRIMARY KEY (realm, jti)
            ) STRICT;
            CREATE TABLE passports (
                realm TEXT NOT NULL REFERENCES realms(name) ON DELETE CASCADE,
                passport_id TEXT NOT NULL,
                agent_id TEXT NOT NULL,
                record BLOB NOT NULL,
                PRIMARY KEY (realm, passport_id)
            ) STRICT;
            """)
    }

    public func lifecycleState(realm: String) async throws -> RealmLifecycleState {
        try await mapErrors("reading the lifecycle of \(realm)") {
            try await writer.read { db in
                var state = RealmLifecycleState()
                for data in try Data.fetchAll(db, sql: "SELECT record FROM agent_lifecycle WHERE realm = ?",
                                              arguments: [realm]) {
                    let record = try Self.decode(AgentLifecycle.self, data)
                    state.agents[record.agentID] = record
                }
                for row in try Row.fetchAll(db, sql: "SELECT org, record FROM org_kills WHERE realm = ?",
                                            arguments: [realm]) {
                    state.orgKills[row["org"]] = try Self.decode(KillRecord.self, row["record"])
                }
                for row in try Row.fetchAll(db, sql: "SELECT jti, expires_at FROM revoked_tokens WHERE realm = ?",
                                            arguments: [realm]) {
                    state.revokedTokens[row["jti"]] = Date(timeIntervalSince1970: row["expires_at"])
                }
                return state
            }
        }
    }

    public func modifyAgentLifecycle(
        realm: String, agentID: String,
        _ change: @Sendable (_ record: inout AgentLifecycle?, _ nextStatusIndex: Int) throws -> Void
    ) async throws -> AgentLifecycle? {
        try await mapErrors("changing the lifecycle of \(realm)/\(agentID)") {
            try await writer.write { db in
                let stored = try Data.fetchOne(db, sql: "SELECT record FROM agent_lifecycle WHERE realm = ? AND agent_id = ?",
                                               arguments: [realm, agentID])
                let before = try stored.map { try Self.decode(AgentLifecycle.self, $0) }
                let highest = try Int.fetchOne(db, sql: "SELECT MAX(status_index) FROM agent_lifecycle WHERE realm = ?",
                                               arguments: [realm])
                let next = LifecycleRules.nextStatusIndex(highestInUse: highest)
                var record = before
                try change(&record, next)
                try LifecycleRules.check(before: before, after: record, agentID: agentID, nextStatusIndex: next)
                guard let record else {
                    try db.execute(sql: "DELETE FROM agent_lifecycle WHERE realm = ? AND agent_id = ?", arguments: [realm, agentID])
                    return nil
                }
                try db.execute(sql: """
                    INSERT INTO agent_lifecycle (realm, agent_id, status_index, record) VALUES (?, ?, ?, ?)
                    ON CONFLICT(realm, agent_id) DO UPDATE SET status_index = excluded.status_index, record = excluded.record
                    """, arguments: [realm, agentID, record.statusIndex, try Self.encode(record)])
                return record
            }
        }
    }

    public func setOrgKill(realm: String, org: String, kill: KillRecord?) async throws {
        try await mapErrors("changing the kill switch of \(realm)/\(org)") {
            try await writer.write { db in
                if let kill {
                    try db.execute(sql: """
                        INSERT INTO org_kills (realm, org, record) VALUES (?, ?, ?)
                        ON CONFLICT(realm, org) DO UPDATE SET record = excluded.record
                        """, arguments: [realm, org, try Self.encode(kill)])
                } else {
                    try db.execute(sql: "DELETE FROM org_kills WHERE realm = ? AND org = ?", arguments: [realm, org])
                }
            }
        }
    }

    public func saveRevokedToken(realm: String, jti: String, expiresAt: Date) async throws {
        try await mapErrors("revoking a token of \(realm)") {
            try await writer.write { db in
                try db.execute(sql: "DELETE FROM revoked_tokens WHERE realm = ? AND expires_at < ?",
                               arguments: [realm, Date().timeIntervalSince1970])
                try db.execute(sql: "INSERT OR IGNORE INTO revoked_tokens (realm, jti, expires_at) VALUES (?, ?, ?)",
                               arguments: [realm, jti, expiresAt.timeIntervalSince1970])
            }
        }
    }

    public func savePassport(_ passport: PassportRecord) async throws {
        try await mapErrors("saving passport \(passport.id)") {
            try await writer.write { db in
                try db.execute(sql: "INSERT INTO passports (realm, passport_id, agent_id, record) VALUES (?, ?, ?, ?)",
                               arguments: [passport.realm, passport.id, passport.agentID, try Self.encode(passport)])
            }
        }
    }

    public func passport(realm: String, id: String) async throws -> PassportRecord? {
        let data = try await mapErrors("reading passport \(id)") {
            try await writer.read { db in
                try Data.fetchOne(db, sql: "SELECT record FROM passports WHERE realm = ? AND passport_id = ?",
                                  arguments: [realm, id])
            }
        }
        return try data.map { try Self.decode(PassportRecord.self, $0) }
    }

    private static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return try encoder.encode(value)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        do { return try decoder.decode(type, from: data) } catch {
            throw HeraldError(.storage, "a stored \(T.self) does not decode: \(error)")
        }
    }
}

import Foundation
import GRDB
import HeraldCore

extension SQLiteStore: RealmRepository {
    public func realmNames() async throws -> [String] {
        try await mapErrors("listing realms") {
            try await writer.read { db in try String.fetchAll(db, sql: "SELECT name FROM realms ORDER BY name") }
        }
    }

    public func realm(named name: String) async throws -> RealmConfig? {
        let data = try await mapErrors("reading realm \(name)") {
            try await writer.read { db in
                try Data.fetchOne(db, sql: "SELECT config FROM realms WHERE name = ?", arguments: [name])
            }
        }
        guard let data else { return nil }
        do { return try JSONDecoder().decode(RealmConfig.self, from: data) } catch {
            throw HeraldError(.storage, "stored realm \(name) does not decode: \(error)")
        }
    }

    public func save(_ realm: RealmConfig) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(realm)
        try await mapErrors("saving realm \(realm.name)") {
            try await writer.write { db in
                try db.execute(sql: """
                    INSERT INTO realms (name, config, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at
                    """, arguments: [realm.name, data, Date().timeIntervalSince1970])
            }
        }
    }

    public func deleteRealm(named name: String) async throws {
        try await mapErrors("deleting realm \(name)") {
            try await writer.write { db in try db.execute(sql: "DELETE FROM realms WHERE name = ?", arguments: [name]) }
        }
    }
}

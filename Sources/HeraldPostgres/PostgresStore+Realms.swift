import Foundation
import HeraldCore
import PostgresNIO

extension PostgresStore: RealmRepository {
    public func realmNames() async throws -> [String] {
        try await read("listing realms") { connection in
            try await connection.query("SELECT name FROM realms ORDER BY name COLLATE \"C\"", logger: logger)
                .decode(String.self).reduce(into: []) { $0.append($1) }
        }
    }

    public func realm(named name: String) async throws -> RealmConfig? {
        let data = try await read("reading realm \(name)") { connection in
            try await connection.query("SELECT config FROM realms WHERE name = \(name)", logger: logger)
                .decode(Data.self).reduce(into: [Data]()) { $0.append($1) }.first
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
        let name = realm.name, now = Date().timeIntervalSince1970
        try await execute("saving realm \(name)", """
            INSERT INTO realms (name, config, updated_at) VALUES (\(name), \(data), \(now))
            ON CONFLICT (name) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at
            """)
    }

    public func deleteRealm(named name: String) async throws {
        try await execute("deleting realm \(name)", "DELETE FROM realms WHERE name = \(name)")
    }

    /// Serialises the writers of one realm's rows (keys, status indices) across every
    /// process: the realm's row, locked until the transaction ends. A realm that does not
    /// exist locks nothing; its rows' foreign keys refuse the insert.
    func lockRealm(_ realm: String, _ connection: PostgresConnection) async throws {
        try await connection.query("SELECT 1 FROM realms WHERE name = \(realm) FOR UPDATE", logger: logger)
    }
}

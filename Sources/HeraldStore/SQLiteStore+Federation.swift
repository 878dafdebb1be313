import Foundation
import GRDB
import HeraldCore

extension SQLiteStore: FederationPeerRepository {
    /// Migration 0005: federation keys (the shape of `signing_keys`, kept apart so token keys
    /// and federation keys roll over independently) and per-peer state.
    static func createFederation(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE federation_keys (
                realm TEXT NOT NULL REFERENCES realms(name) ON DELETE CASCADE,
                kid TEXT NOT NULL,
                algorithm TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('prepared', 'active', 'retired', 'revoked')),
                created_at REAL NOT NULL,
                activate_at REAL,
                activated_at REAL,
                retired_at REAL,
                publish_until REAL,
                revoked_at REAL,
                public_jwk TEXT NOT NULL,
                sealed_private_key BLOB NOT NULL,
                PRIMARY KEY (realm, kid)
            ) STRICT;
            CREATE UNIQUE INDEX one_active_federation_key ON federation_keys(realm) WHERE state = 'active';
            CREATE TABLE federation_peers (
                realm TEXT NOT NULL REFERENCES realms(name) ON DELETE CASCADE,
                entity TEXT NOT NULL,
                state BLOB NOT NULL,
                updated_at REAL NOT NULL,
                PRIMARY KEY (realm, entity)
            ) STRICT;
            """)
    }

    public func peerStates(realm: String) async throws -> [String: [UInt8]] {
        try await mapErrors("reading federation peers of \(realm)") {
            try await writer.read { db in
                var states: [String: [UInt8]] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT entity, state FROM federation_peers WHERE realm = ?",
                                            arguments: [realm]) {
                    states[row["entity"]] = Array(row["state"] as Data)
                }
                return states
            }
        }
    }

    public func savePeerState(realm: String, entity: String, state: [UInt8]) async throws {
        try await mapErrors("saving federation peer \(entity) of \(realm)") {
            try await writer.write { db in
                try db.execute(sql: """
                    INSERT INTO federation_peers (realm, entity, state, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(realm, entity) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
                    """, arguments: [realm, entity, Data(state), Date().timeIntervalSince1970])
            }
        }
    }

    public func deletePeerState(realm: String, entity: String) async throws {
        try await mapErrors("removing federation peer \(entity) of \(realm)") {
            try await writer.write { db in
                try db.execute(sql: "DELETE FROM federation_peers WHERE realm = ? AND entity = ?", arguments: [realm, entity])
            }
        }
    }
}

import Foundation
import HeraldCore
import PostgresNIO

extension PostgresStore: FederationPeerRepository {
    public func peerStates(realm: String) async throws -> [String: [UInt8]] {
        try await read("reading federation peers of \(realm)") { connection in
            var states: [String: [UInt8]] = [:]
            for try await (entity, state) in try await connection.query(
                "SELECT entity, state FROM federation_peers WHERE realm = \(realm)", logger: logger)
                .decode((String, Data).self) { states[entity] = Array(state) }
            return states
        }
    }

    public func savePeerState(realm: String, entity: String, state: [UInt8]) async throws {
        let data = Data(state), now = Date().timeIntervalSince1970
        try await execute("saving federation peer \(entity) of \(realm)", """
            INSERT INTO federation_peers (realm, entity, state, updated_at) VALUES (\(realm), \(entity), \(data), \(now))
            ON CONFLICT (realm, entity) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
            """)
    }

    public func deletePeerState(realm: String, entity: String) async throws {
        try await execute("removing federation peer \(entity) of \(realm)",
                          "DELETE FROM federation_peers WHERE realm = \(realm) AND entity = \(entity)")
    }
}

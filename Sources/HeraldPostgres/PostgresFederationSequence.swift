import Foundation
import HeraldCore
import Logging
import PostgresNIO

/// The replica-shared ``FederationSequence``: one row per realm in `federation_sequences`,
/// raised to `greatest(last + 1, atLeast)` and returned by one statement, so it is strictly
/// increasing across every replica (a peer may fetch one bundle from A and the next from B).
/// Fails closed: when the database cannot answer it throws, and no bundle is signed.
public struct PostgresFederationSequence: FederationSequence {
    let client: PostgresClient
    let logger: Logger

    public func next(realm: String, atLeast: Int64) async throws -> Int64 {
        let value = try await PostgresStore.mapErrors("allocating a federation bundle sequence of \(realm)") {
            try await client.withConnection { connection in try await connection.query("""
                INSERT INTO federation_sequences (realm, last) VALUES (\(realm), \(atLeast))
                ON CONFLICT (realm) DO UPDATE SET last = greatest(federation_sequences.last + 1, excluded.last)
                RETURNING last
                """, logger: logger).decode(Int64.self).reduce(into: Int64?.none) { $0 = $1 } }
        }
        guard let value else { throw HeraldError(.storage, "allocating a federation bundle sequence of \(realm) returned nothing") }
        return value
    }
}

import Foundation
import HeraldCore
import Logging
import PostgresNIO
import Synchronization

/// The replica-shared ``AssertionReplayCache``: one row per used assertion id in
/// `assertion_replay`, so a `private_key_jwt` assertion accepted by one replica is a replay
/// on every other.
///
/// One statement decides: an insert that, on a conflicting id, takes the row over only when
/// its expiry has passed. PostgreSQL locks the conflicting row, so of concurrent first uses
/// exactly one gets a row back (fresh). Expired rows are deleted at most once a minute (of
/// the callers' `now`). Fails closed: a database error throws, and the caller refuses.
public final class PostgresReplayCache: AssertionReplayCache {
    private struct Sweep {
        var next = Date.distantPast
        /// Live rows counted at the last sweep: the bound is checked then, not per insert
        /// (a count per token request would cost more than the insert).
        var liveRows = 0
    }

    let client: PostgresClient
    let logger: Logger
    /// Beyond this many live rows (as of the last sweep) new assertions are refused.
    public let capacity: Int
    private let sweep = Mutex(Sweep())

    /// How often (in the callers' time) expired rows are deleted and the rows counted.
    static let sweepInterval: TimeInterval = 60

    init(client: PostgresClient, logger: Logger, capacity: Int = 2_000_000) {
        self.client = client
        self.logger = logger
        self.capacity = capacity
    }

    public func record(_ id: String, expiresAt: Date, now: Date) async throws -> ReplayOutcome {
        let due = sweep.withLock { state in
            guard now >= state.next else { return false }
            state.next = now + Self.sweepInterval
            return true
        }
        if due { try await reclaim(now: now) }
        if sweep.withLock({ $0.liveRows >= capacity }) { return .full }
        let (expiry, current) = (expiresAt.timeIntervalSince1970, now.timeIntervalSince1970)
        let taken = try await read("recording a client assertion id") { connection in
            try await connection.query("""
                INSERT INTO assertion_replay (id, expires_at) VALUES (\(id), \(expiry))
                ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at
                WHERE assertion_replay.expires_at <= \(current)
                RETURNING 1
                """, logger: logger).decode(Int.self).reduce(into: 0) { count, _ in count += 1 }
        }
        return taken > 0 ? .fresh : .replayed
    }

    /// Deletes the rows expired at `now` and counts those left.
    private func reclaim(now: Date) async throws {
        let current = now.timeIntervalSince1970
        let live = try await read("reclaiming expired client assertion ids") { connection in
            try await connection.query("DELETE FROM assertion_replay WHERE expires_at <= \(current)", logger: logger)
            return try await connection.query("SELECT COUNT(*) FROM assertion_replay", logger: logger)
                .decode(Int.self).reduce(into: 0) { $0 = $1 }
        }
        sweep.withLock { $0.liveRows = live }
    }

    private func read<T: Sendable>(_ what: String, _ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await PostgresStore.mapErrors(what) { try await client.withConnection { try await body($0) } }
    }
}

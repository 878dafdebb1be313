import Foundation

extension LDAPDirectory {
    /// Reads the root DSE on a pooled service connection (a new one only when the pool has
    /// none idle): a cheap round trip proving the server answers. Recorded in ``monitor``.
    public func ping() async throws {
        do {
            try await monitor.timed { () async throws(LDAPError) in
                try await pool.withConnection { connection throws(LDAPError) in try connection.ping() }
            }
        } catch {
            throw error.heraldError
        }
    }

    /// With `mode: sync`: how old the served copy is, and whether it is still served (within
    /// `sync_period` plus the grace of ``LDAPSettings/onUnavailable``). Nil in `mode: live`.
    public var copyState: (age: TimeInterval?, servable: Bool)? {
        guard settings.mode == .sync else { return nil }
        guard let syncedAt = snapshotTime else { return (nil, false) }
        let grace = settings.onUnavailable == .serveStale ? settings.maxStaleSeconds : settings.cacheTTLSeconds
        let age = clock.now().timeIntervalSince(syncedAt)
        return (age, age <= Double(settings.syncPeriodSeconds + grace))
    }
}

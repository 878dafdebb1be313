import GRDB

extension SQLiteStore {
    /// Proves the database can be written now: takes SQLite's write lock (`BEGIN IMMEDIATE`)
    /// and rolls back, writing nothing. Herald issues nothing it cannot audit, so a database
    /// that reads but cannot be written (another process holding the lock, a read-only or
    /// vanished file system) is as unavailable as one that cannot be opened.
    ///
    /// Waits at most the connection's busy timeout (5 s); callers wanting a shorter answer
    /// time out on their side.
    public func probeWrite() async throws {
        try await writer.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                _ = try Int.fetchOne(db, sql: "SELECT 1")
                return .rollback
            }
        }
    }
}

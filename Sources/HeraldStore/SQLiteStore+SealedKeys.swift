import GRDB
import HeraldCore

extension SQLiteStore {
    /// How many private keys (token and federation) the database holds sealed with a master
    /// key. The composition root asks before it creates a master key: a database with sealed
    /// keys and no master key file is a restore or a move that forgot the key, and a fresh key
    /// could never open them.
    public func sealedKeyCount() async throws -> Int {
        try await mapErrors("counting sealed keys") {
            try await writer.read { db in
                try KeyPurpose.allCases.reduce(0) { total, purpose in
                    total + (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(Self.table(purpose))") ?? 0)
                }
            }
        }
    }
}

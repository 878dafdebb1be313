import HeraldCore
import Logging

extension SQLiteStore: Store {
    /// A ``SQLiteAuditLog`` appending to this database.
    public func makeAuditLog(settings: AuditWriterSettings, logger: Logger?) -> any AuditLogWriter {
        SQLiteAuditLog(store: self, settings: settings, logger: logger)
    }
}

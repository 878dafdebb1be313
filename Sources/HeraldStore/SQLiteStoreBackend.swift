import Foundation
import HeraldCore
import HeraldPostgres
import Logging

/// Opens `sqlite:PATH` locations (`sqlite:/var/lib/herald/herald.sqlite`,
/// `sqlite:///var/lib/herald/herald.sqlite`, or a path relative to the working directory) as a
/// ``SQLiteStore``.
public struct SQLiteStoreBackend: StoreBackend {
    /// A backend.
    public init() {}

    public var schemes: [String] { ["sqlite"] }

    /// Read-write opens (creating when absent) and migrates; read-only opens an existing file
    /// unchanged and refuses a missing one.
    public func open(_ location: StoreLocation, access: StoreAccess, logger: Logger?) async throws -> any Store {
        guard let path = location.filePath, !path.isEmpty else {
            throw HeraldError(.invalidConfiguration,
                              "\(location) names no SQLite file; write sqlite:/path/to/herald.sqlite")
        }
        switch access {
        case .readWrite:
            return try SQLiteStore(path: path)
        case .readOnly:
            guard FileManager.default.fileExists(atPath: path) else {
                throw HeraldError(.notFound, "no database at \(path)")
            }
            return try SQLiteStore(readingOnly: path)
        }
    }
}

extension StoreBackends {
    /// The backends of this build: SQLite, and PostgreSQL (`postgres://`, `postgresql://`),
    /// which passes the same StoreConformance suite (Tests/HeraldPostgresTests).
    public static let standard = StoreBackends([SQLiteStoreBackend(), PostgresStoreBackend()])
}

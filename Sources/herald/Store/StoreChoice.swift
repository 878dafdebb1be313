import Foundation
import HeraldCore
import HeraldServer
import HeraldStore

/// Which store an offline command reads: `--store URL`, else the SQLite file in `--data DIR`,
/// else `HERALD_STORE`, else the SQLite file in `HERALD_DATA` (default ./data), as `herald
/// serve` finds it. A flag on the command line wins over the environment, so `--data` still
/// means that directory when HERALD_STORE is set. Opened through ``StoreBackends/standard``,
/// never as a file directly, so a command works on any backend.
enum StoreChoice {
    /// The location the flags `store` and `data`, or the environment, name.
    static func location(store: String?, data: String?) throws -> StoreLocation {
        if let store { return try StoreLocation(parsing: store) }
        if data == nil, let text = Console.environment["HERALD_STORE"], !text.isEmpty {
            return try StoreLocation(parsing: text)
        }
        let directory = data ?? Console.environment["HERALD_DATA"] ?? "data"
        return .sqlite(path: ServerConfiguration(dataDirectory: directory).databasePath)
    }

    /// Opens an existing store at `location`; `missing` is the error for an SQLite file that
    /// is not there (an offline command never creates a store).
    static func open(_ location: StoreLocation, access: StoreAccess, missing: (String) -> any Error) async throws
        -> any Store
    {
        if location.scheme == "sqlite", let path = location.filePath, !FileManager.default.fileExists(atPath: path) {
            throw missing(path)
        }
        return try await StoreBackends.standard.open(location, access: access)
    }
}

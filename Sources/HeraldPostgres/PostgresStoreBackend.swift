import HeraldCore
import Logging

/// Opens `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|require]` (also
/// `postgresql://`) as a ``PostgresStore`` (docs/configuration.md, "Store").
public struct PostgresStoreBackend: StoreBackend {
    /// A backend.
    public init() {}

    public var schemes: [String] { ["postgres", "postgresql"] }

    /// Read-write opens migrate (once, under an advisory lock, whoever starts first);
    /// read-only opens refuse a database without Herald's schema or with a newer one.
    public func open(_ location: StoreLocation, access: StoreAccess, logger: Logger?) async throws -> any Store {
        try await PostgresStore.open(location, access: access, logger: logger)
    }
}

import HeraldCore
import Logging

/// Opens `postgres://` and `postgresql://` locations as a PostgreSQL store (issue 14).
///
/// Not yet in ``StoreBackends/standard``: it joins the served set once it passes
/// `StoreConformance` in full, so no user can pick a half backend.
public struct PostgresStoreBackend: StoreBackend {
    /// A backend.
    public init() {}

    public var schemes: [String] { ["postgres", "postgresql"] }

    public func open(_ location: StoreLocation, access: StoreAccess, logger: Logger?) async throws -> any Store {
        throw HeraldError(.invalidConfiguration, "\(location): the PostgreSQL store is not complete yet; use sqlite:PATH")
    }
}

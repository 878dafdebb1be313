import Logging

/// Whether a store is opened to serve (migrated, written) or only to be read by an offline tool.
public enum StoreAccess: Sendable, Hashable {
    /// Opens (creating when absent) and applies pending migrations.
    case readWrite
    /// Opens an existing store without changing it (offline checks); refuses a store that a
    /// newer Herald migrated.
    case readOnly
}

/// One storage implementation (SQLite today), opened by URL scheme. The composition root and
/// the offline tools open stores only through ``StoreBackends``, so a second backend is one
/// more conformer registered there, not a change to their code.
public protocol StoreBackend: Sendable {
    /// The URL schemes this backend opens, lowercase, e.g. `["sqlite"]`.
    var schemes: [String] { get }
    /// Opens the store at `location` (its scheme is one of ``schemes``).
    func open(_ location: StoreLocation, access: StoreAccess, logger: Logger?) async throws -> any Store
}

/// The store backends a binary knows, chosen by a location's scheme.
public struct StoreBackends: Sendable {
    /// The backends, in the order they are asked.
    public let backends: [any StoreBackend]

    /// A set of `backends`.
    public init(_ backends: [any StoreBackend]) { self.backends = backends }

    /// Every scheme some backend opens, sorted.
    public var schemes: [String] { backends.flatMap(\.schemes).sorted() }

    /// Opens `location` with the backend for its scheme; an unknown scheme is
    /// ``HeraldError/Code/invalidConfiguration`` naming the schemes this binary opens.
    public func open(_ location: StoreLocation, access: StoreAccess = .readWrite, logger: Logger? = nil) async throws
        -> any Store
    {
        guard let backend = backends.first(where: { $0.schemes.contains(location.scheme) }) else {
            throw HeraldError(.invalidConfiguration, """
                no store backend for '\(location.scheme):' in \(location); this Herald opens \
                \(schemes.map { "\($0):" }.joined(separator: ", ")) (e.g. sqlite:/var/lib/herald/herald.sqlite)
                """)
        }
        return try await backend.open(location, access: access, logger: logger)
    }
}

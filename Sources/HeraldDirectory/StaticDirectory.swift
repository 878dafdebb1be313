import HeraldCore

/// The realm file's embedded directory (`directory.static`): agents listed in the file.
public struct StaticDirectory: DirectoryConnector {
    private let agents: [String: Principal]

    public init(agents: [Principal]) {
        self.agents = Dictionary(agents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func principal(id: String) async throws -> Principal? { agents[id] }

    /// Synchronous lookup, for callers that precompute per-client state.
    public func lookup(_ id: String) -> Principal? { agents[id] }
}

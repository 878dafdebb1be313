/// Where a realm's principals come from: the realm file's static list, or an LDAP server.
///
/// A port in the dex `connector` sense: small, `Sendable`, one capability per protocol.
/// Implementations live in `HeraldDirectory`; the server only sees these protocols.
public protocol DirectoryConnector: Sendable {
    /// The principal whose agent id is `id`, with the roles and groups the directory gives
    /// it; nil when the directory has no such (enabled) agent.
    ///
    /// Throws ``HeraldError`` with code ``HeraldError/Code/directoryUnavailable`` when the
    /// directory cannot answer; callers fail closed on that.
    func principal(id: String) async throws -> Principal?
}

/// A directory that can check an agent's own password by binding as it (`auth: ldap_bind`).
public protocol PasswordCheckingDirectory: DirectoryConnector {
    /// True when `password` is the agent's directory password; false when it is wrong or the
    /// agent does not exist. Throws ``HeraldError/Code/directoryUnavailable`` on outage.
    func checkPassword(_ password: String, agentID: String) async throws -> Bool
}

extension HeraldError.Code {
    /// The directory could not be reached or did not answer in time.
    public static let directoryUnavailable = HeraldError.Code("directory_unavailable")
}

import Foundation
import HeraldServices

/// Which paths one listener serves. With a separate admin or metrics listener, its paths
/// answer 404 on the public one, and that listener answers only them, health, and (the
/// admin listener) the master realm.
struct ListenerScope: Sendable, Equatable {
    var admin: Bool
    var metrics: Bool
    /// Every other path: discovery, JWKS, tokens, …
    var issuer: Bool

    static let everything = ListenerScope(admin: true, metrics: true, issuer: true)
    static let adminOnly = ListenerScope(admin: true, metrics: false, issuer: false)
    static let metricsOnly = ListenerScope(admin: false, metrics: true, issuer: false)

    /// Whether `path` (as the router sees it: `request.uri.path`) may be served here.
    ///
    /// The first segment is compared as the router would match it, and more loosely:
    /// empty segments dropped (the router drops them too), percent-decoded and lowercased
    /// (so `/%61dmin` or `/Admin` cannot slip past to a router that might match them), and
    /// a path with a `.` or `..` segment is refused outright where anything is filtered.
    func allows(path: String) -> Bool {
        if self == .everything { return true }
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
            .map { (String($0).removingPercentEncoding ?? String($0)).lowercased() }
        if segments.contains(where: { $0 == "." || $0 == ".." || $0.contains("/") }) { return false }
        switch segments.first {
        case "health": return true
        case "admin": return admin
        // The master realm (its token endpoint, discovery, JWKS) also answers where the
        // admin API does, so `herald login --server ADMIN-URL` needs only that listener.
        case "realms" where segments.count > 1 && segments[1] == MasterRealm.name: return admin || issuer
        case "metrics": return metrics
        default: return issuer
        }
    }
}

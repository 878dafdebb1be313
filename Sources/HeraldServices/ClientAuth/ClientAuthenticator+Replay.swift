import Foundation
import HeraldCore

extension ClientAuthenticator {
    /// Records an assertion's id as used (RFC 7523 §3, once only), or throws `replayed` when
    /// it was used before. Fails closed: a full cache, or one that cannot answer (a shared
    /// cache whose database is unreachable), refuses the assertion with 503 rather than
    /// accept one it could not record; neither counts as a failed authentication.
    func recordOnce(_ id: String, expiresAt: Date, now: Date, replayed: @autoclosure () -> ServiceError)
        async throws(ServiceError)
    {
        let outcome: ReplayOutcome
        do { outcome = try await replayCache.record(id, expiresAt: expiresAt, now: now) } catch {
            throw .unavailable("client assertions cannot be checked for replay now; retry shortly",
                               reason: "replay cache failed: \(error)")
        }
        switch outcome {
        case .fresh: return
        case .replayed: throw replayed()
        case .full: throw .unavailable("too many client assertions in flight; retry shortly", reason: "replay cache full")
        }
    }
}

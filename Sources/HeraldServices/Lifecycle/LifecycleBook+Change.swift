import Foundation
import HeraldCore

extension LifecycleBook {
    /// Applies one committed change (this replica's, or another's from the change feed) in
    /// place. ``LifecycleChange/Kind/reload`` changes nothing here: only the book's owner can
    /// read the store (``LifecycleService/receive(_:)``).
    package func apply(_ kind: LifecycleChange.Kind, realm: String, now: Date) {
        switch kind {
        case .agent(let record):
            update(realm: realm) { $0.agents[record.agentID] = record }
        case .orgKill(let org, let kill):
            update(realm: realm) { $0.orgKills[org] = kill }
        case .tokenRevoked(let jti, let expiresAt):
            update(realm: realm) { state in
                // Expired ids go on the way, so the list stays as long as the live revocations.
                state.revokedTokens = state.revokedTokens.filter { $0.value > now }
                state.revokedTokens[jti] = expiresAt
            }
        case .reload:
            break
        }
    }
}

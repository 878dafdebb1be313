import Foundation
import HeraldCore

/// The agent a capability is for, as this realm sees it now.
struct CapabilitySubject: Sendable {
    let principal: Principal
    let decision: TrustDecision
    let statusIndex: Int
    /// The subject token's own `act` chain, current actor first.
    let priorActors: [String]
    let expiresAt: Date
}

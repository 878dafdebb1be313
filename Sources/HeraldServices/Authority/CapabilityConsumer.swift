import Foundation
import HeraldCore

/// Consumes capability tokens for the resource servers that execute them
/// (`POST {issuer}/capabilities/consume`, docs/action-authority.md): once, whichever replica
/// is asked, and only while the capability is valid, unrevoked and its agents serve.
package struct CapabilityConsumer: Sendable {
    package let store: any CapabilityRepository
    package let book: LifecycleBook
    package let verifier: CapabilityVerifier

    package init(store: any CapabilityRepository, book: LifecycleBook, clock: any HeraldClock) {
        self.store = store
        self.book = book
        verifier = CapabilityVerifier(clock: clock)
    }

    /// What the consumer says it is about to execute; a member given must match the token.
    package struct Expectation: Sendable {
        package var action: String?
        package var identifier: String?
        package var location: String?

        package init(action: String? = nil, identifier: String? = nil, location: String? = nil) {
            self.action = action
            self.identifier = identifier
            self.location = location
        }
    }

    package enum Outcome: Sendable {
        /// Consumed now, by this call.
        case consumed(CapabilityVerifier.Verified, at: Date)
        /// Consumed before: a replay.
        case replayed(CapabilityVerifier.Verified)
        /// Not consumable (it does not verify, has expired, is revoked, its agent is stopped,
        /// or it is not what the consumer expects); `capability` when it verified.
        case refused(String, capability: CapabilityVerifier.Verified?)
    }

    /// Checks `token` and consumes it in the store; a store failure is
    /// ``ServiceError/Code/temporarilyUnavailable`` (and nothing is consumed).
    package func consume(_ token: String, expecting expected: Expectation, in realm: RealmRuntime)
        async throws(ServiceError) -> Outcome
    {
        let capability: CapabilityVerifier.Verified
        do { capability = try verifier.verify(token, in: realm) } catch {
            return .refused(error.description, capability: nil)
        }
        if let refusal = refusal(capability, expected, in: realm) { return .refused(refusal, capability: capability) }
        let now = verifier.clock.now()
        let first: Bool
        do {
            first = try await store.consumeCapability(realm: realm.name, jti: capability.jti,
                                                      expiresAt: capability.expiresAt, consumedAt: now)
        } catch {
            throw .unavailable("the capability could not be consumed; retry shortly", reason: "store: \(error)")
        }
        return first ? .consumed(capability, at: now) : .replayed(capability)
    }

    /// Why a verified capability must not be executed, nil when it may.
    private func refusal(_ capability: CapabilityVerifier.Verified, _ expected: Expectation, in realm: RealmRuntime)
        -> String?
    {
        if book.isRevoked(realm: realm.name, jti: capability.jti) { return "the capability has been revoked" }
        for agent in [capability.agentID] + capability.actors
        where book.standing(realm: realm.name, agentID: agent, org: nil).isStopped {
            return "agent \(agent) is stopped"
        }
        let detail = capability.detail
        if let action = expected.action, action != detail.action {
            return "the capability grants action \(detail.action), not \(action)"
        }
        if let identifier = expected.identifier, identifier != detail.identifier {
            return "the capability is for resource \(detail.identifier), not \(identifier)"
        }
        if let location = expected.location, location != detail.location {
            return "the capability is for resource server \(detail.location), not \(location)"
        }
        return nil
    }
}

import Foundation

/// What a token of this realm says about who it speaks for, beyond `sub`: a token exchanged
/// for an upstream IdP's user (`idp`) is that user's, not an agent's, and every agent acting
/// in it (`act`) must still be serving for it to work (docs/wire-formats.md, "Upstream IdP
/// tokens").
extension AccessTokenVerifier.Claims {
    /// The agents of this realm acting in the token, the current actor first: the whole
    /// `act` chain, except for a token exchanged for a peer's agent, whose nested actors
    /// came from the peer's token (only the current actor, added here, is this realm's).
    package var localActors: [String] {
        guard let act else { return [] }
        if federated_from != nil { return act.sub.map { [$0] } ?? [] }
        return act.chain
    }

    /// Why the token cannot be taken as an agent of this realm's own credential; nil for a
    /// token whose `sub` is such an agent (or a peer's, which callers check on their own).
    package var notAnAgentCredential: String? {
        guard let idp else { return nil }
        return "this token was exchanged from upstream IdP \(idp) for user \(sub); it is not an agent credential of "
            + "this realm: use the agent's own token"
    }
}

extension LifecycleBook {
    /// The first agent acting in the token that is stopped (kill switch, its organisation's
    /// kill, SUSPENDED, REVOKED), nil when all serve: a stopped actor's delegated tokens stop
    /// working with its own, on the next request.
    package func stoppedActor(of claims: AccessTokenVerifier.Claims, realm: String) -> String? {
        claims.localActors.first { standing(realm: realm, agentID: $0, org: nil).isStopped }
    }

    /// The `error_description` for a token refused because an agent acting in it is stopped.
    package static func stoppedActorDescription(_ agentID: String) -> String {
        "agent \(agentID), which acts in this token, is stopped"
    }
}

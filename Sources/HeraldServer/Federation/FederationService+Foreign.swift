import Foundation
import HeraldCore
import HeraldFederation
import HeraldJOSE

/// A peer's agent, as this realm trusts it now.
struct ForeignAgent: Sendable {
    /// The peer's entity id (`federated_from`).
    let entity: String
    let entry: BundleAgent
    /// min(the peer's level, the peer's `max_level` here); L0 when the peer no longer has the
    /// agent active or its last good bundle is older than `max_staleness`.
    let level: TrustLevel
    let stale: Bool
    /// The presented token's claims, when a token identified the agent.
    let claims: AccessTokenVerifier.Claims?
    let payload: [UInt8]?

    /// Why the agent may not act at all (nil: it may, at ``level``).
    var refusal: String? {
        if stale { return "the last good bundle of \(entity) is older than max_staleness" }
        if entry.status != .active { return "\(entity) reports the agent \(entry.status.rawValue)" }
        return nil
    }
}

extension FederationService {
    /// Why a presented foreign credential was not accepted.
    struct ForeignRejection: Error, CustomStringConvertible {
        let description: String
    }

    /// The peer agent an access token issued by a peer of `realm` speaks for: signed by one of
    /// the peer's token keys from its last good bundle, `typ: at+jwt`, unexpired, and an agent
    /// the peer vouches for.
    func foreignToken(_ token: String, in realm: RealmRuntime) -> Result<ForeignAgent, ForeignRejection> {
        guard let jws = try? UnverifiedJWS(compact: token) else { return .failure(.init(description: "not a JWS")) }
        struct Issuer: Decodable { var iss: String? }
        guard let iss = (try? JSONDecoder().decode(Issuer.self, from: Data(jws.unverifiedPayload)))?.iss,
              let peer = configuredPeers(realm: realm.name).first(where: { $0.entity == iss })
        else { return .failure(.init(description: "the token's issuer is neither this realm nor a peer of it")) }
        let record = record(realm: realm.name, peer: peer)
        let verified: VerifiedJWS
        do { verified = try jws.verify(with: record.view.issuerKeys) } catch {
            return .failure(.init(description: "the token is not signed by a key of \(iss)'s last good bundle"))
        }
        guard verified.header.typ == "at+jwt" else { return .failure(.init(description: "not an access token (typ)")) }
        guard let claims = try? JSONDecoder().decode(AccessTokenVerifier.Claims.self, from: Data(verified.payload)),
              claims.iss == iss
        else { return .failure(.init(description: "the token lacks iss, sub, aud or exp")) }
        let now = clock.now()
        guard claims.exp.date > now else { return .failure(.init(description: "the token has expired")) }
        return agent(claims.sub, of: peer, record: record, now: now, claims: claims, payload: verified.payload)
    }

    /// The peer agent `sub` of the peer `entity`, as this realm trusts it now.
    func foreignAgent(_ sub: String, entity: String, in realm: String) -> Result<ForeignAgent, ForeignRejection> {
        guard let peer = configuredPeers(realm: realm).first(where: { $0.entity == entity }) else {
            return .failure(.init(description: "\(entity) is not a peer of realm \(realm)"))
        }
        return agent(sub, of: peer, record: record(realm: realm, peer: peer), now: clock.now(), claims: nil, payload: nil)
    }

    private func agent(_ sub: String, of peer: FederationSettings.Peer, record: PeerRecord, now: Date,
                       claims: AccessTokenVerifier.Claims?, payload: [UInt8]?) -> Result<ForeignAgent, ForeignRejection> {
        let staleness = TimeInterval(peer.staleAfterSeconds)
        guard let entry = record.view.agent(sub),
              let level = record.view.effectiveLevel(of: sub, cap: peer.maxLevel, now: now, maxStaleness: staleness)
        else { return .failure(.init(description: "\(peer.entity) does not vouch for agent \(sub)")) }
        return .success(ForeignAgent(entity: peer.entity, entry: entry, level: level,
                                     stale: record.view.stale(now: now, maxStaleness: staleness), claims: claims,
                                     payload: payload))
    }
}

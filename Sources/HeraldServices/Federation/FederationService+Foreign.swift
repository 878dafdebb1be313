import Foundation
import HeraldCore
import HeraldFederation
import HeraldJOSE
import HeraldVerifier

/// A peer's agent, as this realm trusts it now.
package struct ForeignAgent: Sendable {
    /// The peer's entity id (`federated_from`).
    package let entity: String
    package let entry: BundleAgent
    /// min(the peer's level, the peer's `max_level` here); L0 when the peer no longer has the
    /// agent active or its last good bundle is older than `max_staleness`.
    package let level: TrustLevel
    package let stale: Bool
    /// The presented token's claims, when a token identified the agent.
    package let claims: AccessTokenVerifier.Claims?
    package let payload: [UInt8]?

    /// Why the agent may not act at all (nil: it may, at ``level``).
    package var refusal: String? {
        if stale { return "the last good bundle of \(entity) is older than max_staleness" }
        if entry.status != .active { return "\(entity) reports the agent \(entry.status.rawValue)" }
        return nil
    }
}

extension FederationService {
    /// Why a presented foreign credential was not accepted.
    package struct ForeignRejection: Error, CustomStringConvertible {
        package let description: String
    }

    /// The peer agent an access token issued by a peer of `realm` speaks for: signed by one of
    /// the peer's token keys from its last good bundle, `typ: at+jwt`, unexpired, and an agent
    /// the peer vouches for.
    package func foreignToken(_ token: String, in realm: RealmRuntime) -> Result<ForeignAgent, ForeignRejection> {
        let jws: UnverifiedJWS
        do { jws = try UnverifiedJWS(compact: token) } catch { return .failure(Self.notAJWS(error)) }
        guard let iss = Self.unverifiedIssuer(jws),
              let peer = configuredPeer(realm: realm.name, entity: iss)
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
        // RFC 7519 §4.1.5, with the leeway this realm's own tokens get.
        if let nbf = claims.nbf, nbf.date > now + AccessTokenVerifier.leeway {
            return .failure(.init(description: "the token is not valid yet"))
        }
        return agent(claims.sub, of: peer, record: record, now: now, claims: claims, payload: verified.payload)
    }

    private struct ClaimedIssuer: Decodable { var iss: String? }

    /// Why a credential is not even a compact JWS (duplicate members and bad base64url
    /// included), for the refusal's description.
    package static func notAJWS(_ error: any Error) -> ForeignRejection {
        .init(description: "not a JWS: \((error as? JOSEError)?.reason ?? "\(error)")")
    }

    /// The `iss` a JWS claims, before anything is verified: only to choose whose keys verify it.
    package static func unverifiedIssuer(_ jws: UnverifiedJWS) -> String? {
        (try? JSONDecoder().decode(ClaimedIssuer.self, from: Data(jws.unverifiedPayload)))?.iss
    }

    package static func unverifiedIssuer(_ compact: String) -> String? {
        (try? UnverifiedJWS(compact: compact)).flatMap(unverifiedIssuer)
    }

    /// The peer agent a JWT passport issued by a peer of `realm` speaks for: verified with the
    /// peer's token and passport keys from its last good bundle.
    package func foreignPassport(_ passport: String, in realm: RealmRuntime) -> Result<ForeignAgent, ForeignRejection> {
        let jws: UnverifiedJWS
        do { jws = try UnverifiedJWS(compact: passport) } catch { return .failure(Self.notAJWS(error)) }
        guard let iss = Self.unverifiedIssuer(jws),
              let peer = configuredPeer(realm: realm.name, entity: iss)
        else { return .failure(.init(description: "the passport's issuer is neither this realm nor a peer of it")) }
        let record = record(realm: realm.name, peer: peer)
        let verifier = PassportVerifier(keys: record.view.issuerKeys, issuer: iss)
        do {
            let verified = try verifier.verifyJWT(passport, now: clock.now())
            guard let sub = verified.subject else { return .failure(.init(description: "the passport has no sub")) }
            return agent(sub, of: peer, record: record, now: clock.now(), claims: nil, payload: nil)
        } catch {
            return .failure(.init(description: "passport from \(iss): \(error.description)"))
        }
    }

    /// The peer agent `sub` of the peer `entity`, as this realm trusts it now.
    package func foreignAgent(_ sub: String, entity: String, in realm: String) -> Result<ForeignAgent, ForeignRejection> {
        guard let peer = configuredPeer(realm: realm, entity: entity) else {
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

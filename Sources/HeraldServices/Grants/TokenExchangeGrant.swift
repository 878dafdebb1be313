import Foundation
import HeraldCore
import HeraldJOSE

/// RFC 8693 token exchange with delegation: the authenticated client (the actor) presents an
/// agent's access token (`subject_token`) — one of this realm's, or a peer's (wire-formats §7)
/// — or an access or ID token of one of the realm's upstream IdPs (`upstream_idps`), and gets
/// a token of this realm for that subject, with itself named in `act`.
///
/// The level is the lower of the subject's level here and the actor's own (delegation never
/// raises either); a peer's agent is at most the peer's `max_level`, and the token names the
/// peer in `federated_from`; an upstream subject is at the level its roles map to (at most
/// the IdP's `max_level`), and the token names the IdP in `idp`, kept through later
/// exchanges. `actor_token` is not taken: the client authentication is the actor's proof.
package struct TokenExchangeGrant: Sendable {
    package static let grantType = "urn:ietf:params:oauth:grant-type:token-exchange"
    package static let accessTokenType = "urn:ietf:params:oauth:token-type:access_token"
    package static let jwtType = "urn:ietf:params:oauth:token-type:jwt"
    /// Taken for an upstream IdP's ID token only.
    package static let idTokenType = "urn:ietf:params:oauth:token-type:id_token"

    /// The agent a subject token speaks for, as this realm sees it now.
    package struct Subject: Sendable {
        package let sub: String
        package let roles: [String]
        package let level: TrustLevel
        package let score: Int
        package let stage: String
        /// The status list entry of a local agent.
        package let statusIndex: Int?
        /// The subject token's own `act` (a chain of earlier actors), as JSON.
        package let priorActor: [UInt8]?
        package let federatedFrom: String?
        package let expiresAt: Date
        /// The upstream IdP's issuer, for a subject of one (the `idp` claim). Such a subject
        /// has no lifecycle here: its `mcps` claim has no `trust_score` or `pipeline_stage`.
        package var idp: String? = nil

        package init(sub: String, roles: [String], level: TrustLevel, score: Int, stage: String, statusIndex: Int?,
                     priorActor: [UInt8]?, federatedFrom: String?, expiresAt: Date, idp: String? = nil) {
            self.sub = sub
            self.roles = roles
            self.level = level
            self.score = score
            self.stage = stage
            self.statusIndex = statusIndex
            self.priorActor = priorActor
            self.federatedFrom = federatedFrom
            self.expiresAt = expiresAt
            self.idp = idp
        }
    }

    /// The request's parameters, checked.
    package static func subjectToken(_ form: [String: String]) throws(ServiceError) -> String {
        guard let token = form["subject_token"], !token.isEmpty else {
            throw .invalidRequest("subject_token is missing")
        }
        guard let type = form["subject_token_type"] else { throw .invalidRequest("subject_token_type is missing") }
        guard type == accessTokenType || type == jwtType || type == idTokenType else {
            throw .invalidRequest("subject_token_type must be \(accessTokenType), \(jwtType) or (for an upstream IdP's "
                                  + "ID token) \(idTokenType)")
        }
        if let requested = form["requested_token_type"], requested != accessTokenType {
            throw .invalidRequest("only \(accessTokenType) can be requested")
        }
        if form["actor_token"] != nil {
            throw .invalidRequest("actor_token is not taken: the authenticated client is the actor")
        }
        return token
    }

    /// The exchanged token's claims (wire-formats §2 plus `act` and `federated_from`).
    ///
    /// `actorStatusIndex` is the current actor's status list entry. A subject with an entry
    /// (a local agent) keeps its own; an upstream IdP's user has none, so the token carries its
    /// current actor's: a relying party that checks only the status list (§8) then sees the
    /// kill of the agent that holds the token.
    package static func claims(subject: Subject, actor: ResolvedPrincipal, actorStatusIndex: Int?, client: Client,
                               level: TrustLevel, scopes: [String], realm: RealmRuntime, jti: String, now: Int,
                               exp: Int) -> [UInt8] {
        var writer = JSONWriter(capacity: 768)
        writer.beginObject()
        writer.member("iss", realm.issuer)
        writer.member("sub", subject.sub)
        ResolvedPrincipal.writeAudience(&writer, of: client, issuer: realm.issuer)
        writer.member("client_id", client.clientID)
        writer.key("realm_access")
        writer.beginObject()
        // A peer's agent holds no roles here: only the level role it is granted.
        // An upstream IdP's subject holds the level role its upstream roles map to.
        writer.member("roles", strings: subject.federatedFrom == nil && subject.idp == nil ? subject.roles : [level.role])
        writer.endObject()
        writer.member("scope", scopes.joined(separator: " "))
        // An upstream IdP's user has no lifecycle here: no trust_score or pipeline_stage.
        AccessTokenIssuer.writeMCPS(&writer, claim: realm.levelTable.claim(for: level),
                                    lifecycle: subject.idp == nil ? (subject.score, subject.stage) : nil)
        // RFC 8693 §4.1: the current actor on top, earlier actors nested inside it.
        writer.key("act")
        writer.beginObject()
        writer.member("sub", actor.principal.id)
        writer.member("client_id", client.clientID)
        if let prior = subject.priorActor {
            writer.key("act")
            writer.raw(prior)
        }
        writer.endObject()
        if let federatedFrom = subject.federatedFrom { writer.member("federated_from", federatedFrom) }
        if let idp = subject.idp { writer.member("idp", idp) }
        if let index = subject.statusIndex ?? (subject.idp != nil ? actorStatusIndex : nil) {
            AccessTokenIssuer.writeStatus(&writer, index: index, in: realm)
        }
        writer.member("jti", jti)
        writer.member("iat", now)
        writer.member("nbf", now)
        writer.member("exp", exp)
        writer.endObject()
        return writer.bytes
    }
}

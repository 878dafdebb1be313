import Foundation
import HeraldCore
import HeraldJOSE

/// Signs capability tokens (docs/action-authority.md): a JWT, `typ: capability+jwt`, for
/// exactly one action on one resource, short-lived, with a `jti` its resource server consumes
/// once, and the agent's status list entry so that stopping the agent (kill switch,
/// SUSPENDED, REVOKED) invalidates every capability it holds, offline too.
package struct CapabilityIssuer: Sendable {
    package let clock: any HeraldClock

    package init(clock: any HeraldClock) { self.clock = clock }

    /// What was issued, for the answer and the audit entry.
    package struct Issued: Sendable {
        package let token: String
        package let jti: String
        package let kid: String
        package let lifetime: Int
        package let expiresAt: Date
    }

    /// Who the capability is for and who asked.
    package struct Holder: Sendable {
        /// The agent (the subject token's `sub`).
        package let agentID: String
        /// The agent's status list entry.
        package let statusIndex: Int
        /// The client that asked (the token's `client_id`).
        package let clientID: String
        /// The actor chain, current actor first, when the client acts for another agent
        /// (RFC 8693 §4.1 `act`); empty when the agent asks for itself.
        package let actors: [String]
        package let level: TrustLevel

        package init(agentID: String, statusIndex: Int, clientID: String, actors: [String], level: TrustLevel) {
            self.agentID = agentID
            self.statusIndex = statusIndex
            self.clientID = clientID
            self.actors = actors
            self.level = level
        }
    }

    /// A capability for `request.detail`, living `request.ttl` seconds (else the realm's
    /// lifetime), never past `notAfter` (the subject token's expiry: an exchange never extends
    /// a delegation).
    package func issue(_ request: CapabilityRequest, for holder: Holder, notAfter: Date, in realm: RealmRuntime)
        throws(ServiceError) -> Issued
    {
        let signer = try AccessTokenIssuer.signer(of: realm)
        let now = Int(clock.now().timeIntervalSince1970)
        let ttl = request.ttl ?? realm.config.effectiveCapabilities.lifetimeSeconds
        let exp = min(now + ttl, Int(notAfter.timeIntervalSince1970))
        guard exp > now else { throw ServiceError(.invalidGrant, "subject_token: the token has expired") }
        let jti = "cap_" + AccessTokenIssuer.newTokenID()
        var writer = JSONWriter(capacity: 768)
        writer.beginObject()
        writer.member("iss", realm.issuer)
        writer.member("sub", holder.agentID)
        writer.member("aud", request.detail.location)
        writer.member("client_id", holder.clientID)
        writer.key("authorization_details")
        writer.beginArray()
        request.detail.write(to: &writer)
        writer.endArray()
        writer.member("trust_level", holder.level.rawValue)
        if !holder.actors.isEmpty { Self.writeActors(&writer, holder.actors[...]) }
        AccessTokenIssuer.writeStatus(&writer, index: holder.statusIndex, in: realm)
        writer.member("jti", jti)
        writer.member("iat", now)
        writer.member("nbf", now)
        writer.member("exp", exp)
        writer.endObject()
        let token: String
        do { token = try signer.sign(claims: writer.bytes, typ: CapabilityRequest.jwtType) } catch {
            throw ServiceError(.serverError, "the capability could not be signed", reason: "signing failed: \(error)")
        }
        return Issued(token: token, jti: jti, kid: signer.kid, lifetime: exp - now,
                      expiresAt: Date(timeIntervalSince1970: TimeInterval(exp)))
    }

    /// `act`, the current actor outermost (RFC 8693 §4.1).
    private static func writeActors(_ writer: inout JSONWriter, _ actors: ArraySlice<String>) {
        guard let first = actors.first else { return }
        writer.key("act")
        writer.beginObject()
        writer.member("sub", first)
        writeActors(&writer, actors.dropFirst())
        writer.endObject()
    }
}

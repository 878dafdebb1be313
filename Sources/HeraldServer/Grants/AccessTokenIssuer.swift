import Foundation
import HeraldCore
import HeraldJOSE

/// Signs RFC 9068 access tokens (wire-formats §2) with the realm's active key.
struct AccessTokenIssuer: Sendable {
    let clock: any HeraldClock

    struct Issued: Sendable {
        let token: String
        let lifetime: Int
        let kid: String
        let jti: String
    }

    /// A token for `principal` at the level `decision` gives, with `scopes` granted.
    func issue(for principal: ResolvedPrincipal, decision: TrustDecision, statusIndex: Int, scopes: [String],
               in realm: RealmRuntime) throws(OAuthError) -> Issued {
        guard let signer = realm.keyRing.signer(for: realm.config.signingAlgorithm) else {
            throw OAuthError(status: .serviceUnavailable, code: "temporarily_unavailable",
                             description: "the realm has no active signing key; retry shortly",
                             reason: "no active \(realm.config.signingAlgorithm.rawValue) key in realm \(realm.name)")
        }
        let now = Int(clock.now().timeIntervalSince1970)
        let lifetime = realm.config.tokenLifetimeSeconds
        var writer = JSONWriter(capacity: principal.claimsPrefix.count + 400)
        writer.beginObject()
        writer.raw(principal.claimsPrefix)
        writer.member("scope", scopes.joined(separator: " "))
        Self.writeMCPS(&writer, claim: realm.levelTable.claim(for: decision.level),
                       lifecycle: (decision.score, decision.stage.rawValue))
        Self.writeStatus(&writer, index: statusIndex, in: realm)
        let jti = Self.newTokenID()
        writer.member("jti", jti)
        // RFC 7519 NumericDate in whole seconds.
        writer.member("iat", now)
        writer.member("nbf", now)
        writer.member("exp", now + lifetime)
        writer.endObject()
        do {
            return Issued(token: try signer.sign(claims: writer.bytes, typ: "at+jwt"), lifetime: lifetime,
                          kid: signer.kid, jti: jti)
        } catch {
            throw OAuthError(status: .internalServerError, code: "server_error", description: "the token could not be signed",
                             reason: "signing failed: \(error)")
        }
    }

    /// The `mcps` claim (wire-formats §2): the six members every token has, and the lifecycle
    /// members `trust_score` and `pipeline_stage` for a subject with a lifecycle in this realm
    /// (not for an upstream IdP's user, `lifecycle` nil).
    static func writeMCPS(_ writer: inout JSONWriter, claim: MCPSClaim, lifecycle: (score: Int, stage: String)?) {
        writer.key("mcps")
        writer.beginObject()
        writer.member("trust_level", claim.trustLevel.rawValue)
        writer.member("trust_label", claim.trustLabel)
        writer.member("payment_enabled", claim.paymentEnabled)
        writer.member("tx_limit", claim.txLimit)
        writer.member("day_limit", claim.dayLimit)
        writer.member("scopes", claim.scopes.joined(separator: ","))
        if let lifecycle {
            writer.member("trust_score", lifecycle.score)
            writer.member("pipeline_stage", lifecycle.stage)
        }
        writer.endObject()
    }

    /// `"status":{"status_list":{"idx":N,"uri":…}}` (draft-ietf-oauth-status-list).
    static func writeStatus(_ writer: inout JSONWriter, index: Int, in realm: RealmRuntime) {
        writer.key("status")
        writer.beginObject()
        writer.key("status_list")
        writer.beginObject()
        writer.member("idx", index)
        writer.member("uri", realm.statusListURI)
        writer.endObject()
        writer.endObject()
    }

    /// 128 random bits, base64url.
    static func newTokenID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64, low = generator.next() as UInt64
        let bytes = withUnsafeBytes(of: (high, low)) { Array($0) }
        return Base64URL.encode(bytes)
    }
}

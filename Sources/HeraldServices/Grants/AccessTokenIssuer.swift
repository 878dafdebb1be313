import Foundation
import HeraldCore
import HeraldJOSE

/// Signs RFC 9068 access tokens (wire-formats §2) with the realm's active key.
package struct AccessTokenIssuer: Sendable {
    package let clock: any HeraldClock

    package init(clock: any HeraldClock) { self.clock = clock }

    package struct Issued: Sendable {
        package let token: String
        package let lifetime: Int
        package let kid: String
        package let jti: String
    }

    /// A token for `principal` at the level `decision` gives, with `scopes` granted.
    package func issue(for principal: ResolvedPrincipal, decision: TrustDecision, statusIndex: Int, scopes: [String],
                               in realm: RealmRuntime) throws(ServiceError) -> Issued {
        let signer = try Self.signer(of: realm)
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
        return try Self.sign(writer.bytes, jti: jti, lifetime: lifetime, with: signer)
    }

    /// The realm's active signing key; 503 while it has none (a rotation in progress).
    static func signer(of realm: RealmRuntime) throws(ServiceError) -> JWTSigner {
        guard let signer = realm.keyRing.signer(for: realm.config.signingAlgorithm) else {
            throw .unavailable("the realm has no active signing key; retry shortly",
                               reason: "no active \(realm.config.signingAlgorithm.rawValue) key in realm \(realm.name)")
        }
        return signer
    }

    /// Every access token this realm issues is signed here, as `at+jwt` (RFC 9068 §2.1).
    static func sign(_ claims: [UInt8], jti: String, lifetime: Int, with signer: JWTSigner) throws(ServiceError)
        -> Issued
    {
        do {
            return Issued(token: try signer.sign(claims: claims, typ: "at+jwt"), lifetime: lifetime, kid: signer.kid,
                          jti: jti)
        } catch {
            throw ServiceError(.serverError, "the token could not be signed", reason: "signing failed: \(error)")
        }
    }

    /// The `mcps` claim (wire-formats §2): the six members every token has, and the lifecycle
    /// members `trust_score` and `pipeline_stage` for a subject with a lifecycle in this realm
    /// (not for an upstream IdP's user, `lifecycle` nil).
    package static func writeMCPS(_ writer: inout JSONWriter, claim: MCPSClaim, lifecycle: (score: Int, stage: String)?) {
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
    package static func writeStatus(_ writer: inout JSONWriter, index: Int, in realm: RealmRuntime) {
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
    package static func newTokenID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64, low = generator.next() as UInt64
        let bytes = withUnsafeBytes(of: (high, low)) { Array($0) }
        return Base64URL.encode(bytes)
    }
}

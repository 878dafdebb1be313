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

    /// A token for `profile`'s agent with `scopes` granted.
    func issue(for profile: ClientProfile, scopes: [String], in realm: RealmRuntime) throws(OAuthError) -> Issued {
        guard let signer = realm.keyRing.signer(for: realm.config.signingAlgorithm) else {
            throw OAuthError(status: .serviceUnavailable, code: "temporarily_unavailable",
                             description: "the realm has no active signing key; retry shortly",
                             reason: "no active \(realm.config.signingAlgorithm.rawValue) key in realm \(realm.name)")
        }
        let now = Int(clock.now().timeIntervalSince1970)
        let lifetime = realm.config.tokenLifetimeSeconds
        var writer = JSONWriter(capacity: profile.invariantClaims.count + 160)
        writer.beginObject()
        writer.raw(profile.invariantClaims)
        writer.member("scope", scopes.joined(separator: " "))
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

    /// 128 random bits, base64url.
    static func newTokenID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64, low = generator.next() as UInt64
        let bytes = withUnsafeBytes(of: (high, low)) { Array($0) }
        return Base64URL.encode(bytes)
    }
}

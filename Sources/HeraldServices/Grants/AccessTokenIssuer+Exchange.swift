import Foundation
import HeraldCore

extension AccessTokenIssuer {
    /// The token of an RFC 8693 exchange (``TokenExchangeGrant``): for `subject`, with `actor`
    /// (the authenticated client's principal) in `act`, at `level`. It expires with the subject
    /// token at the latest, so an exchange never extends a delegation.
    package func issueExchanged(subject: TokenExchangeGrant.Subject, actor: ResolvedPrincipal, actorStatusIndex: Int?,
                                        client: Client, level: TrustLevel, scopes: [String], in realm: RealmRuntime)
        throws(ServiceError) -> Issued
    {
        let signer = try Self.signer(of: realm)
        let now = Int(clock.now().timeIntervalSince1970)
        let exp = min(now + realm.config.tokenLifetimeSeconds, Int(subject.expiresAt.timeIntervalSince1970))
        let jti = Self.newTokenID()
        let claims = TokenExchangeGrant.claims(subject: subject, actor: actor, actorStatusIndex: actorStatusIndex,
                                               client: client, level: level, scopes: scopes, realm: realm, jti: jti,
                                               now: now, exp: exp)
        return try Self.sign(claims, jti: jti, lifetime: max(0, exp - now), with: signer)
    }
}

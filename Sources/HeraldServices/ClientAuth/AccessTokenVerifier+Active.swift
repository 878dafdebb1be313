import HeraldCore

extension AccessTokenVerifier {
    /// A token of the realm that verified and has not been revoked (RFC 7009), with what the
    /// lifecycle book says of the agents acting in it.
    package struct Active: Sendable {
        package let verified: Verified
        /// The first agent acting in the token (`act`) that is stopped (kill switch, its
        /// organisation's kill, SUSPENDED, REVOKED), nil when all serve. Each caller refuses it
        /// in its own words and at its own point (the MCP gate as a failed status check).
        package let stoppedActor: String?

        package var claims: Claims { verified.claims }
    }

    /// Why a presented token is not active.
    package enum Inactive: Error, Sendable, CustomStringConvertible {
        /// It does not verify (signature, type, issuer, audience, lifetime).
        case invalid(Rejection)
        /// It verified, but its client revoked it.
        case revoked

        package var description: String {
            switch self {
            case .invalid(let rejection): rejection.description
            case .revoked: "the token has been revoked"
            }
        }
    }

    /// Verifies `token` as one of `realm`'s access tokens (``verify(_:in:forHerald:)``), then
    /// checks `book` for its revocation and for stopped actors: the one place that both are
    /// done, so that no caller takes a revoked token or forgets the agents acting in it.
    package func verifyActive(_ token: String, in realm: RealmRuntime, forHerald: Bool, book: LifecycleBook)
        throws(Inactive) -> Active
    {
        let verified: Verified
        do { verified = try verify(token, in: realm, forHerald: forHerald) } catch { throw .invalid(error) }
        if let jti = verified.claims.jti, book.isRevoked(realm: realm.name, jti: jti) { throw .revoked }
        return Active(verified: verified, stoppedActor: book.stoppedActor(of: verified.claims, realm: realm.name))
    }
}

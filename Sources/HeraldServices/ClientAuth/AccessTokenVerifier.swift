import Foundation
import HeraldCore
import HeraldJOSE

/// Verifies access tokens a realm issued (wire-formats §2; RFC 9068 §4): signed by a key the
/// realm publishes, `typ: at+jwt`, the realm's `iss`, unexpired, and — where the token is
/// presented to Herald itself — the realm issuer among its audiences.
package struct AccessTokenVerifier: Sendable {
    /// Tolerated clock difference for `nbf`.
    package static let leeway: TimeInterval = 30

    package let clock: any HeraldClock

    package init(clock: any HeraldClock) { self.clock = clock }

    /// The claims Herald reads back from its own tokens.
    package struct Claims: Decodable, Sendable {
        package struct RealmAccess: Decodable, Sendable { package var roles: [String] }
        package var iss: String
        package var sub: String
        package var aud: ClientAssertionClaims.Audience
        package var exp: ClientAssertionClaims.NumericDate
        package var iat: ClientAssertionClaims.NumericDate?
        package var nbf: ClientAssertionClaims.NumericDate?
        package var jti: String?
        package var scope: String?
        // swiftlint:disable:next identifier_name
        package var realm_access: RealmAccess?
        // swiftlint:disable:next identifier_name
        package var client_id: String?
        /// Set on a token exchanged for a peer's agent (RFC 8693, wire-formats §7).
        // swiftlint:disable:next identifier_name
        package var federated_from: String?
        /// Set on a token exchanged for an upstream IdP's user: that IdP's issuer. Its `sub`
        /// is the user at that IdP, never an agent of this realm.
        package var idp: String?
        /// RFC 8693 §4.1: the current actor, earlier actors nested inside it.
        package var act: AccessTokenActor?
    }

    /// Why a token was not accepted (for logs and `invalid_token` descriptions).
    package struct Rejection: Error, Sendable, CustomStringConvertible {
        /// Which check failed, for callers that word the refusal in their own terms (the
        /// admin API speaks of "the master realm" and of logging in again).
        package enum Check: Sendable {
            case signature, type, claims, issuer, audience, expiry, notBefore
        }

        package let check: Check
        package let description: String
    }

    package struct Verified: Sendable {
        package let claims: Claims
        /// The payload as signed, for introspection responses.
        package let payload: [UInt8]
    }

    package func verify(_ token: String, in realm: RealmRuntime, forHerald: Bool) throws(Rejection) -> Verified {
        let verified: VerifiedJWS
        do { verified = try UnverifiedJWS(compact: token).verify(with: realm.keyRing.published.keys) } catch {
            throw Rejection(check: .signature, description: "the token is not signed by realm \(realm.name)")
        }
        guard verified.header.typ == "at+jwt" else { throw Rejection(check: .type, description: "the token is not an access token (typ)") }
        let claims: Claims
        do { claims = try JSONDecoder().decode(Claims.self, from: Data(verified.payload)) } catch {
            throw Rejection(check: .claims, description: "the token lacks iss, sub, aud or exp")
        }
        let now = clock.now()
        guard claims.iss == realm.issuer else { throw Rejection(check: .issuer, description: "the token was issued by another realm") }
        if forHerald, !claims.aud.values.contains(realm.issuer) {
            throw Rejection(check: .audience, description: "the token's audience does not include \(realm.issuer)")
        }
        guard claims.exp.date > now else { throw Rejection(check: .expiry, description: "the token has expired") }
        if let nbf = claims.nbf, nbf.date > now + Self.leeway { throw Rejection(check: .notBefore, description: "the token is not valid yet") }
        return Verified(claims: claims, payload: verified.payload)
    }

    /// The bearer token of an `Authorization: Bearer …` header value, nil for other schemes.
    package static func bearerToken(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        return header.dropFirst(7).trimmingCharacters(in: .whitespaces)
    }
}

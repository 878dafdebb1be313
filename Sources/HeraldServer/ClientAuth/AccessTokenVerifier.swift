import Foundation
import HeraldCore
import HeraldJOSE

/// Verifies access tokens a realm issued (wire-formats §2; RFC 9068 §4): signed by a key the
/// realm publishes, `typ: at+jwt`, the realm's `iss`, unexpired, and — where the token is
/// presented to Herald itself — the realm issuer among its audiences.
struct AccessTokenVerifier: Sendable {
    /// Tolerated clock difference for `nbf`.
    static let leeway: TimeInterval = 30

    let clock: any HeraldClock

    /// The claims Herald reads back from its own tokens.
    struct Claims: Decodable, Sendable {
        struct RealmAccess: Decodable, Sendable { var roles: [String] }
        var iss: String
        var sub: String
        var aud: ClientAssertionClaims.Audience
        var exp: ClientAssertionClaims.NumericDate
        var iat: ClientAssertionClaims.NumericDate?
        var nbf: ClientAssertionClaims.NumericDate?
        var jti: String?
        var scope: String?
        // swiftlint:disable:next identifier_name
        var realm_access: RealmAccess?
        // swiftlint:disable:next identifier_name
        var client_id: String?
        /// Set on a token exchanged for a peer's agent (RFC 8693, wire-formats §7).
        // swiftlint:disable:next identifier_name
        var federated_from: String?
        /// Set on a token exchanged for an upstream IdP's user: that IdP's issuer. Its `sub`
        /// is the user at that IdP, never an agent of this realm.
        var idp: String?
        /// RFC 8693 §4.1: the current actor, earlier actors nested inside it.
        var act: AccessTokenActor?
    }

    /// Why a token was not accepted (for logs and `invalid_token` descriptions).
    struct Rejection: Error, Sendable, CustomStringConvertible {
        let description: String
    }

    struct Verified: Sendable {
        let claims: Claims
        /// The payload as signed, for introspection responses.
        let payload: [UInt8]
    }

    func verify(_ token: String, in realm: RealmRuntime, forHerald: Bool) throws(Rejection) -> Verified {
        let verified: VerifiedJWS
        do { verified = try UnverifiedJWS(compact: token).verify(with: realm.keyRing.published.keys) } catch {
            throw Rejection(description: "the token is not signed by realm \(realm.name)")
        }
        guard verified.header.typ == "at+jwt" else { throw Rejection(description: "the token is not an access token (typ)") }
        let claims: Claims
        do { claims = try JSONDecoder().decode(Claims.self, from: Data(verified.payload)) } catch {
            throw Rejection(description: "the token lacks iss, sub, aud or exp")
        }
        let now = clock.now()
        guard claims.iss == realm.issuer else { throw Rejection(description: "the token was issued by another realm") }
        if forHerald, !claims.aud.values.contains(realm.issuer) {
            throw Rejection(description: "the token's audience does not include \(realm.issuer)")
        }
        guard claims.exp.date > now else { throw Rejection(description: "the token has expired") }
        if let nbf = claims.nbf, nbf.date > now + Self.leeway { throw Rejection(description: "the token is not valid yet") }
        return Verified(claims: claims, payload: verified.payload)
    }

    /// The bearer token of an `Authorization: Bearer …` header value, nil for other schemes.
    static func bearerToken(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        return header.dropFirst(7).trimmingCharacters(in: .whitespaces)
    }
}

import Foundation
import HeraldCore
import HeraldJOSE

/// Verifies a capability token of a realm (``CapabilityIssuer``): signed by a key the realm
/// publishes, `typ: capability+jwt`, the realm's `iss`, inside its lifetime, with one
/// authorization details object of the shape Herald issues.
package struct CapabilityVerifier: Sendable {
    package let clock: any HeraldClock

    package init(clock: any HeraldClock) { self.clock = clock }

    /// A capability that verified: what it grants, to whom, until when.
    package struct Verified: Sendable {
        package let jti: String
        package let agentID: String
        package let clientID: String
        package let detail: AuthorizationDetail
        package let expiresAt: Date
        /// The actors of its `act` chain, current actor first.
        package let actors: [String]
    }

    private struct Claims: Decodable {
        struct Detail: Decodable {
            var type: String
            var actions: [String]
            var locations: [String]
            var identifier: String
            var amount: String?
            var currency: String?
        }

        var iss: String
        var sub: String
        var aud: String
        var exp: Double
        var nbf: Double?
        var jti: String
        // swiftlint:disable:next identifier_name
        var client_id: String
        // swiftlint:disable:next identifier_name
        var authorization_details: [Detail]
        var act: AccessTokenActor?
    }

    /// Why a capability was not accepted; `description` is safe to show its presenter.
    package struct Rejection: Error, Sendable, CustomStringConvertible {
        package let description: String
    }

    package func verify(_ token: String, in realm: RealmRuntime) throws(Rejection) -> Verified {
        let verified: VerifiedJWS
        do { verified = try UnverifiedJWS(compact: token).verify(with: realm.keyRing.published.keys) } catch {
            throw Rejection(description: "the capability is not signed by realm \(realm.name)")
        }
        guard verified.header.typ == CapabilityRequest.jwtType else {
            throw Rejection(description: "the token is not a capability (typ must be \(CapabilityRequest.jwtType))")
        }
        guard let claims = try? JSONDecoder().decode(Claims.self, from: Data(verified.payload)),
              claims.authorization_details.count == 1, let detail = claims.authorization_details.first,
              detail.actions.count == 1, detail.locations.count == 1
        else { throw Rejection(description: "the capability lacks its claims or its one authorization detail") }
        guard claims.iss == realm.issuer else { throw Rejection(description: "the capability was issued by another realm") }
        let now = clock.now()
        guard Date(timeIntervalSince1970: claims.exp) > now else { throw Rejection(description: "the capability has expired") }
        if let nbf = claims.nbf, Date(timeIntervalSince1970: nbf) > now + AccessTokenVerifier.leeway {
            throw Rejection(description: "the capability is not valid yet")
        }
        return Verified(
            jti: claims.jti, agentID: claims.sub, clientID: claims.client_id,
            detail: AuthorizationDetail(type: detail.type, action: detail.actions[0], location: detail.locations[0],
                                        identifier: detail.identifier, amount: detail.amount, currency: detail.currency),
            expiresAt: Date(timeIntervalSince1970: claims.exp), actors: claims.act?.chain ?? [])
    }
}

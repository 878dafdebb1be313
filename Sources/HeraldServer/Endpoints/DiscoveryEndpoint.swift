import Foundation
import HeraldAPI
import HeraldCore
import Hummingbird

/// OIDC Discovery 1.0 §4 (`{issuer}/.well-known/openid-configuration`) and RFC 8414 §3
/// (`{base}/.well-known/oauth-authorization-server/realms/{r}`); the default realm also
/// answers both at the host root.
struct DiscoveryEndpoint<Context: RequestContext>: Sendable {
    let registry: RealmRegistry

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("realms/:realm/.well-known/openid-configuration", use: metadata)
        routes.get(".well-known/oauth-authorization-server/realms/:realm", use: metadata)
        routes.get(".well-known/openid-configuration", use: metadata)
        routes.get(".well-known/oauth-authorization-server", use: metadata)
        return routes
    }

    @Sendable func metadata(_ request: Request, context: Context) async throws -> Response {
        let realm = try registry.runtime(for: context)
        let table = realm.levelTable
        var scopes: [String] = []
        for level in TrustLevel.allCases { for scope in table[level].scopes where !scopes.contains(scope) { scopes.append(scope) } }
        var document = DiscoveryDocument(
            issuer: realm.issuer, tokenEndpoint: realm.tokenEndpoint, jwksURI: realm.jwksURI,
            grantTypesSupported: [ClientCredentialsGrant.grantType, TokenExchangeGrant.grantType],
            tokenEndpointAuthMethodsSupported: [ClientAuthMethod.clientSecretBasic, .clientSecretPost, .privateKeyJWT]
                .map(\.rawValue),
            tokenEndpointAuthSigningAlgValuesSupported: SigningAlgorithm.allCases.map(\.rawValue),
            scopesSupported: scopes,
            signingAlgorithms: realm.config.algorithms.map(\.rawValue),
            claimsSupported: ["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope", "realm_access", "mcps", "status"])
        document.addTokenManagement(introspection: "\(realm.tokenEndpoint)/introspect",
                                    revocation: "\(realm.issuer)/protocol/openid-connect/revoke")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return .json(try encoder.encode(document), headers: [.cacheControl: "public, max-age=300"])
    }
}

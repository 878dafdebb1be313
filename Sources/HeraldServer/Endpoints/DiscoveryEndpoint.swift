import Foundation
import HeraldAPI
import HeraldCore
import HeraldServices
import Hummingbird

/// OIDC Discovery 1.0 §4 (`{issuer}/.well-known/openid-configuration`) and RFC 8414 §3
/// (`{base}/.well-known/oauth-authorization-server/realms/{r}`); the default realm also
/// answers both at the host root.
///
/// The document is encoded once per realm version (``RenderedDocuments``, keyed by the parts
/// of the realm it shows) and served with a strong ETag; `If-None-Match` with it is 304.
struct DiscoveryEndpoint<Context: RequestContext>: Sendable {
    let registry: RealmRegistry
    let rendered = RenderedDocuments<DiscoverySource>()

    /// What a realm's discovery document is made of.
    struct DiscoverySource: Hashable, Sendable {
        let issuer: String
        let tokenEndpoint: String
        let jwksURI: String
        let levelTable: LevelTable
        let algorithms: [SigningAlgorithm]
    }

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
        let source = DiscoverySource(issuer: realm.issuer, tokenEndpoint: realm.tokenEndpoint, jwksURI: realm.jwksURI,
                                     levelTable: realm.levelTable, algorithms: realm.config.algorithms)
        let document = try rendered.document(realm: realm.name, source: source) {
            RenderedDocument(body: try Self.encode(source), cacheControl: "public, max-age=300")
        }
        return document.response(ifNoneMatch: request.headers[.ifNoneMatch])
    }

    /// The metadata document's bytes (sorted keys, slashes unescaped).
    static func encode(_ source: DiscoverySource) throws -> [UInt8] {
        let table = source.levelTable
        var scopes: [String] = []
        for level in TrustLevel.allCases { for scope in table[level].scopes where !scopes.contains(scope) { scopes.append(scope) } }
        var document = DiscoveryDocument(
            issuer: source.issuer, tokenEndpoint: source.tokenEndpoint, jwksURI: source.jwksURI,
            grantTypesSupported: [ClientCredentialsGrant.grantType, TokenExchangeGrant.grantType],
            tokenEndpointAuthMethodsSupported: [ClientAuthMethod.clientSecretBasic, .clientSecretPost, .privateKeyJWT]
                .map(\.rawValue),
            tokenEndpointAuthSigningAlgValuesSupported: SigningAlgorithm.allCases.map(\.rawValue),
            scopesSupported: scopes,
            signingAlgorithms: source.algorithms.map(\.rawValue),
            claimsSupported: ["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope", "realm_access", "mcps", "status"])
        document.addTokenManagement(introspection: "\(source.tokenEndpoint)/introspect",
                                    revocation: "\(source.issuer)/protocol/openid-connect/revoke")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(document))
    }
}

/// OIDC Discovery 1.0 / RFC 8414 metadata for one realm, as far as Herald implements it.
///
/// Herald serves machine clients only: there is no authorization endpoint, so
/// `authorization_endpoint` is absent and `response_types_supported` is empty, as RFC 8414
/// §2 allows when no grant type uses the authorization endpoint.
public struct DiscoveryDocument: Sendable, Hashable, Codable {
    public var issuer: String
    public var tokenEndpoint: String
    public var jwksURI: String
    /// RFC 7662 introspection and RFC 7009 revocation, authenticated like the token endpoint.
    public var introspectionEndpoint: String?
    public var revocationEndpoint: String?
    public var introspectionEndpointAuthMethodsSupported: [String]?
    public var revocationEndpointAuthMethodsSupported: [String]?
    public var grantTypesSupported: [String]
    public var tokenEndpointAuthMethodsSupported: [String]
    public var tokenEndpointAuthSigningAlgValuesSupported: [String]
    public var scopesSupported: [String]
    public var responseTypesSupported: [String]
    public var subjectTypesSupported: [String]
    public var idTokenSigningAlgValuesSupported: [String]
    public var claimsSupported: [String]

    public init(issuer: String, tokenEndpoint: String, jwksURI: String, grantTypesSupported: [String],
                tokenEndpointAuthMethodsSupported: [String], tokenEndpointAuthSigningAlgValuesSupported: [String],
                scopesSupported: [String], signingAlgorithms: [String], claimsSupported: [String]) {
        self.issuer = issuer
        self.tokenEndpoint = tokenEndpoint
        self.jwksURI = jwksURI
        self.grantTypesSupported = grantTypesSupported
        self.tokenEndpointAuthMethodsSupported = tokenEndpointAuthMethodsSupported
        self.tokenEndpointAuthSigningAlgValuesSupported = tokenEndpointAuthSigningAlgValuesSupported
        self.scopesSupported = scopesSupported
        self.responseTypesSupported = []
        self.subjectTypesSupported = ["public"]
        self.idTokenSigningAlgValuesSupported = signingAlgorithms
        self.claimsSupported = claimsSupported
    }

    /// Adds the introspection and revocation endpoints, which take the token endpoint's
    /// client authentication methods.
    public mutating func addTokenManagement(introspection: String, revocation: String) {
        introspectionEndpoint = introspection
        revocationEndpoint = revocation
        introspectionEndpointAuthMethodsSupported = tokenEndpointAuthMethodsSupported
        revocationEndpointAuthMethodsSupported = tokenEndpointAuthMethodsSupported
    }

    enum CodingKeys: String, CodingKey {
        case issuer
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case introspectionEndpoint = "introspection_endpoint"
        case revocationEndpoint = "revocation_endpoint"
        case introspectionEndpointAuthMethodsSupported = "introspection_endpoint_auth_methods_supported"
        case revocationEndpointAuthMethodsSupported = "revocation_endpoint_auth_methods_supported"
        case grantTypesSupported = "grant_types_supported"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
        case tokenEndpointAuthSigningAlgValuesSupported = "token_endpoint_auth_signing_alg_values_supported"
        case scopesSupported = "scopes_supported"
        case responseTypesSupported = "response_types_supported"
        case subjectTypesSupported = "subject_types_supported"
        case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
        case claimsSupported = "claims_supported"
    }
}

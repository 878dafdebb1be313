/// A client as the admin API and the realm file hold it (`clients` entries): the body of
/// `POST|PUT /admin/realms/{r}/clients…` and, without secret members, the client object
/// of the answers. The values are the realm-file loader's to check, with its messages.
package struct AdminClientEntry: AdminRequestBody, Encodable, Equatable {
    /// Absent in a replacing `PUT` (the path names the client).
    package var clientID: String?
    package var subject: String?
    package var auth: String?
    package var scopes: [String]?
    package var audience: [String]?
    /// The client's public keys (`private_key_jwt`), a JWK Set.
    package var jwks: OpaqueJSON?
    package var jwksURI: String?
    package var assertionIdP: String?
    package var assertionSubject: String?
    /// Realm-file members a request may not send (Herald generates secrets); an edit keeps
    /// the stored `secret_digest`, or carries a new `secret` to the loader.
    package var secret: String?
    package var secretDigest: String?
    package var secretFile: String?
    package var secretEnv: String?

    package static var rules: AdminBodyRules { .realmFile("") }

    package init(clientID: String?, subject: String?, auth: String?, scopes: [String]? = nil, audience: [String]? = nil,
                 jwks: OpaqueJSON? = nil, jwksURI: String? = nil, assertionIdP: String? = nil,
                 assertionSubject: String? = nil) {
        self.clientID = clientID
        self.subject = subject
        self.auth = auth
        self.scopes = scopes
        self.audience = audience
        self.jwks = jwks
        self.jwksURI = jwksURI
        self.assertionIdP = assertionIdP
        self.assertionSubject = assertionSubject
    }

    enum CodingKeys: String, CodingKey {
        case subject, auth, scopes, audience, jwks, secret
        case clientID = "client_id"
        case jwksURI = "jwks_uri"
        case assertionIdP = "assertion_idp"
        case assertionSubject = "assertion_subject"
        case secretDigest = "secret_digest"
        case secretFile = "secret_file"
        case secretEnv = "secret_env"
    }
}

import Foundation

/// How a client proves its identity at the token endpoint (wire-formats §3).
public enum ClientAuthMethod: String, Sendable, Hashable, Codable, CaseIterable {
    case clientSecretBasic = "client_secret_basic"
    case clientSecretPost = "client_secret_post"
    case privateKeyJWT = "private_key_jwt"
    case ldapBind = "ldap_bind"
}

/// A registered OAuth client acting as one directory principal.
public struct Client: Sendable, Hashable, Codable {
    public var clientID: String
    /// The principal (agent id) the client's tokens speak for.
    public var subject: String
    public var auth: ClientAuthMethod
    /// Keyed digest of the client secret; never the secret itself.
    public var secretDigest: SecretDigest?
    /// The client's public keys for `private_key_jwt`, as JWKS JSON text.
    public var jwks: String?
    /// Scopes the client may request; nil means every scope of its level.
    public var scopes: [String]?
    /// Audiences its tokens are issued for; nil means the realm issuer.
    public var audience: [String]?
    /// For `private_key_jwt`: the issuer of one of the realm's `upstream_idps` whose JWT
    /// assertions (RFC 7523) authenticate this client, in place of keys of its own.
    public var assertionIdP: String? = nil
    /// The `sub` that IdP's assertions for this client carry.
    public var assertionSubject: String? = nil

    public init(clientID: String, subject: String, auth: ClientAuthMethod, secretDigest: SecretDigest? = nil,
                jwks: String? = nil, scopes: [String]? = nil, audience: [String]? = nil) {
        self.clientID = clientID
        self.subject = subject
        self.auth = auth
        self.secretDigest = secretDigest
        self.jwks = jwks
        self.scopes = scopes
        self.audience = audience
    }

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id"
        case subject, auth, jwks, scopes, audience
        case secretDigest = "secret_digest"
        case assertionIdP = "assertion_idp"
        case assertionSubject = "assertion_subject"
    }
}

/// A salted, keyed digest of a client secret (see ADR 0004).
public struct SecretDigest: Sendable, Hashable, Codable {
    public var salt: [UInt8]
    public var digest: [UInt8]

    public init(salt: [UInt8], digest: [UInt8]) {
        self.salt = salt
        self.digest = digest
    }
}

extension SecretDigest {
    /// The export form, `v1:<salt>:<digest>` in standard base64: only meaningful to a Herald
    /// holding the same master key.
    public var exported: String {
        "v1:\(Data(salt).base64EncodedString()):\(Data(digest).base64EncodedString())"
    }

    public init?(exported: String) {
        let parts = exported.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", let salt = Data(base64Encoded: String(parts[1])),
              let digest = Data(base64Encoded: String(parts[2])), digest.count == 32, !salt.isEmpty
        else { return nil }
        self.init(salt: Array(salt), digest: Array(digest))
    }
}

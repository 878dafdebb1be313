import Foundation

/// A verification key from a third party's JWKS (an upstream identity provider): one of
/// the kinds Herald itself uses (EC P-256, OKP Ed25519) or RSA for RS256.
///
/// Each key serves exactly one algorithm, taken from the key (its type, and its `alg`
/// where published), never from the token: that is what rules out algorithm confusion.
public enum ThirdPartyJWK: Sendable, Hashable {
    case standard(PublicJWK)
    case rsa(RSAPublicJWK)

    /// The JWS `alg` this key verifies: `ES256`, `EdDSA` or `RS256`.
    public var algorithm: String {
        switch self {
        case .standard(let key): key.algorithm.rawValue
        case .rsa: "RS256"
        }
    }

    /// The kid a JWS header is matched against: the declared one, else the RFC 7638 thumbprint.
    public var kid: String {
        switch self {
        case .standard(let key): key.kid
        case .rsa(let key): key.kid
        }
    }

    public var thumbprint: String {
        switch self {
        case .standard(let key): key.thumbprint
        case .rsa(let key): key.thumbprint
        }
    }

    /// A parsed key set: the keys Herald can verify with, and a note for each key it left out.
    public struct KeySet: Sendable {
        public let keys: [ThirdPartyJWK]
        /// Why each unusable key was skipped (encryption keys, other algorithms), for logs.
        public let skipped: [String]
    }

    /// Reads a JWKS `{"keys": [...]}` as an identity provider publishes it. Encryption keys
    /// (`use: enc`), keys for algorithms other than ES256, EdDSA and RS256, and key types
    /// Herald does not verify with are skipped (Keycloak publishes an RSA-OAEP key beside its
    /// signing keys); a private key, a malformed key or a set with no usable key is an error.
    public static func parseSet(json: Data) throws -> KeySet {
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
              let members = object["keys"] as? [Any]
        else { throw JOSEError(.invalidKey, "a JWKS must be a JSON object {\"keys\": [ ... ]}") }
        var keys: [ThirdPartyJWK] = []
        var skipped: [String] = []
        for (index, member) in members.enumerated() {
            guard let jwk = member as? [String: Any] else {
                throw JOSEError(.invalidKey, "keys[\(index)] is not a JSON object")
            }
            do {
                if let key = try parse(jwk) { keys.append(key) } else {
                    skipped.append("keys[\(index)] (kid \(jwk["kid"] as? String ?? "none")): "
                                   + "\(jwk["kty"] as? String ?? "?") \(jwk["alg"] as? String ?? "")"
                                   + " \(jwk["use"] as? String ?? "") is not a signature key Herald verifies with")
                }
            } catch let error as JOSEError {
                throw JOSEError(.invalidKey, "keys[\(index)]: \(error.reason)")
            }
        }
        guard !keys.isEmpty else {
            throw JOSEError(.invalidKey, "the JWKS has no ES256, EdDSA or RS256 signature key"
                            + (skipped.isEmpty ? "" : " (skipped: \(skipped.joined(separator: "; ")))"))
        }
        return KeySet(keys: keys, skipped: skipped)
    }

    /// One key; nil for a key that is well-formed but not for signatures Herald verifies.
    private static func parse(_ jwk: [String: Any]) throws -> ThirdPartyJWK? {
        for name in ["kty", "kid", "alg", "use", "crv", "n", "e", "x", "y"] where jwk[name] != nil && !(jwk[name] is String) {
            throw JOSEError(.invalidKey, "member \(name) must be a string")
        }
        if ["d", "p", "q", "dp", "dq", "qi", "k"].contains(where: { jwk[$0] != nil }) {
            throw JOSEError(.invalidKey, "the JWKS holds a private or symmetric key; publish only public keys")
        }
        let use = jwk["use"] as? String, alg = jwk["alg"] as? String
        if let use, use != "sig" { return nil }
        switch jwk["kty"] as? String {
        case "RSA":
            guard alg == nil || alg == "RS256" else { return nil }
            guard let n = jwk["n"] as? String, let e = jwk["e"] as? String else {
                throw JOSEError(.invalidKey, "an RSA JWK needs n and e")
            }
            return .rsa(try RSAPublicJWK(n: n, e: e, kid: jwk["kid"] as? String))
        case "EC" where jwk["crv"] as? String == "P-256", "OKP" where jwk["crv"] as? String == "Ed25519":
            guard alg == nil || alg == "ES256" || alg == "EdDSA" else { return nil }
            let data = try JSONSerialization.data(withJSONObject: jwk)
            return .standard(try PublicJWK(json: data))
        default:
            return nil
        }
    }
}

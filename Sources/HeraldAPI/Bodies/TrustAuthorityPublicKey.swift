/// The answer of `GET {issuer}/api/ta/public-key` (wire-formats §1, mcps-secure 1.0.0): the
/// realm's MCPS trust-authority key as PEM (what `verify_passport_signature` takes) and as
/// a public JWK with `kid`, `alg` and `use`.
public struct TrustAuthorityPublicKey: Sendable, Hashable, Codable {
    public var pem: String
    public var jwk: [String: OpaqueJSON]

    public init(pem: String, jwk: [String: OpaqueJSON]) {
        self.pem = pem
        self.jwk = jwk
    }
}

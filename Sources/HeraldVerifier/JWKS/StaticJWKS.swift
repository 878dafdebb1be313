import Foundation
import HeraldJOSE

/// A key set fixed at construction: keys pinned in a relying party's configuration, or a
/// JWKS document read from a file. It never fetches.
public struct StaticJWKS: JWKSSource {
    /// The pinned keys.
    public let pinned: [PublicJWK]

    /// A source holding `keys`.
    public init(keys: [PublicJWK]) { pinned = keys }

    /// A source holding the usable keys of the JWKS document `jwks`; keys of unsupported
    /// types are skipped as ``RemoteJWKSCache`` skips them.
    public init(jwks: Data) throws(JWKSFetchError) {
        pinned = try JWKSDocument.parse(Array(jwks), url: "(static JWKS)").keys
    }

    /// The pinned key with `kid` (declared kid, else thumbprint); without a kid, the only one.
    public func key(for kid: String?) async throws(JWKSFetchError) -> PublicJWK {
        guard let key = pinned.select(kid: kid) else {
            throw JWKSFetchError(.unknownKey, kid.map { "kid \($0) is not among the pinned keys" }
                ?? "the JWS names no kid and \(pinned.count) keys are pinned; a kid is required")
        }
        return key
    }

    /// Every pinned key.
    public func keys() async throws(JWKSFetchError) -> [PublicJWK] { pinned }
}

import HeraldJOSE

/// Where a verifier gets an issuer's public keys: a ``RemoteJWKSCache`` in production, a
/// ``StaticJWKS`` for keys pinned in configuration.
public protocol JWKSSource: Sendable {
    /// The key whose `kid` is `kid`; for a nil `kid`, the set's only key. Throws
    /// ``JWKSFetchError`` with code `unknownKey` when the set holds no such key, or another
    /// code when the set could not be had.
    func key(for kid: String?) async throws(JWKSFetchError) -> PublicJWK

    /// Every usable key of the set.
    func keys() async throws(JWKSFetchError) -> [PublicJWK]
}

extension [PublicJWK] {
    /// The key a JWS header's `kid` selects: by declared kid first, then by RFC 7638
    /// thumbprint (Herald's own kids are thumbprints). Without a kid, only a one-key set
    /// answers: guessing among several would make the kid optional for an attacker.
    func select(kid: String?) -> PublicJWK? {
        guard let kid else { return count == 1 ? self[0] : nil }
        return first { $0.declaredKID == kid } ?? first { $0.declaredKID == nil && $0.thumbprint == kid }
    }
}

extension [ThirdPartyJWK] {
    /// As `[PublicJWK].select(kid:)`: by kid (declared, else thumbprint) first, then by
    /// thumbprint, as `verify(withThirdParty:)` matches a header's kid.
    func select(kid: String?) -> ThirdPartyJWK? {
        guard let kid else { return count == 1 ? self[0] : nil }
        return first { $0.kid == kid } ?? first { $0.thumbprint == kid }
    }
}

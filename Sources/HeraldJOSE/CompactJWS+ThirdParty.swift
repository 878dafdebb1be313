import Foundation

extension UnverifiedJWS {
    /// Verifies a JWS from a third-party signer (an upstream identity provider) with the
    /// key its header's `kid` selects. The algorithm is the key's own (``ThirdPartyJWK/algorithm``):
    /// `none` and HMAC (`HS256` keyed with the JWKS's public key bytes is the classic forgery)
    /// are refused before any key is looked at, and a header `alg` other than the key's is
    /// refused. ES256 signatures of either S half are accepted (RFC 7518 §3.4 allows both).
    ///
    /// Throws ``JOSEError`` with `.unknownKey` when no key has the header's kid, so a caller
    /// can re-fetch the key set once and try again.
    public func verify(withThirdParty keys: [ThirdPartyJWK]) throws -> VerifiedThirdPartyJWS {
        try checkThirdPartyAlgorithm()
        let alg = header.alg
        let candidates: [ThirdPartyJWK]
        if let kid = header.kid {
            candidates = keys.filter { $0.kid == kid || $0.thumbprint == kid }
            guard !candidates.isEmpty else { throw JOSEError(.unknownKey, "no key in the IdP's JWKS has kid \(kid)") }
        } else {
            candidates = keys
        }
        let fitting = candidates.filter { $0.algorithm == alg }
        guard !fitting.isEmpty else {
            throw JOSEError(.algorithmKeyMismatch, "the token says alg \(alg) but the key "
                            + (header.kid.map { "with kid \($0) " } ?? "") + "is for \(candidates.map(\.algorithm).first ?? "?")")
        }
        for key in fitting where Self.isValid(signature, of: signingInput, byThirdParty: key) {
            return VerifiedThirdPartyJWS(header: header, payload: payload, kid: key.kid, algorithm: alg)
        }
        throw JOSEError(.badSignature, "the signature does not verify with the IdP's key")
    }

    /// Refuses `none`, HMAC and any algorithm other than ES256, EdDSA and RS256, from the
    /// header alone: a caller can run it before it fetches any key.
    public func checkThirdPartyAlgorithm() throws {
        let alg = header.alg
        if alg.lowercased() == "none" {
            throw JOSEError(.unsupportedAlgorithm, "alg none (an unsigned token) is never accepted")
        }
        if alg.uppercased().hasPrefix("HS") {
            throw JOSEError(.unsupportedAlgorithm,
                            "alg \(alg) (a shared-secret MAC) is not accepted; the token must be signed with a key of the IdP's JWKS")
        }
        guard ["ES256", "EdDSA", "RS256"].contains(alg) else {
            throw JOSEError(.unsupportedAlgorithm, "alg \(alg) is not accepted; use RS256, ES256 or EdDSA")
        }
    }

    static func isValid(_ signature: [UInt8], of input: [UInt8], byThirdParty key: ThirdPartyJWK) -> Bool {
        switch key {
        case .standard(let jwk): isValid(signature, of: input, by: jwk)
        case .rsa(let jwk): jwk.isValidRS256(signature, of: input)
        }
    }
}

/// A third party's JWS whose signature a key of its published set has verified.
public struct VerifiedThirdPartyJWS: Sendable {
    public let header: JOSEHeader
    public let payload: [UInt8]
    /// The kid of the key that verified it.
    public let kid: String
    public let algorithm: String
}

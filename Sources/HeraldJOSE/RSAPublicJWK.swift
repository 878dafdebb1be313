import _CryptoExtras
import Crypto
import Foundation

/// An RSA public key as JWK (RFC 7518 §6.3.1): verify only, RS256 only, at least 2048 bits.
///
/// Herald never signs with RSA; this exists for the keys upstream identity providers
/// publish (Keycloak, Entra ID and Okta sign with RS256 by default). It is a type of its
/// own rather than a case of ``PublicJWK``: a ``PublicJWK`` is a key Herald may publish and
/// sign with (its ``PublicJWK/algorithm`` is a ``SigningAlgorithm``), and an RSA key must
/// not reach a realm's key ring, a passport's `cnf` or a trust bundle.
public struct RSAPublicJWK: Sendable, Hashable {
    /// The smallest modulus accepted (NIST SP 800-131A; RFC 7518 §3.3 "2048 bits or larger").
    public static let minimumBits = 2048
    /// The largest modulus accepted: verification cost grows with it, and no IdP uses more.
    public static let maximumBits = 8192

    public let key: _RSA.Signing.PublicKey
    /// The `kid` the key was published with, if any.
    public let declaredKID: String?
    /// RFC 7638 thumbprint over `e`, `kty`, `n` as received.
    public let thumbprint: String
    public var bits: Int { key.keySizeInBits }

    /// The kid to match a JWS header against: the declared one, else the thumbprint.
    public var kid: String { declaredKID ?? thumbprint }

    /// Reads `n` and `e` (base64url, big-endian, RFC 7518 §6.3.1).
    public init(n: String, e: String, kid: String?) throws {
        guard let modulus = Base64URL.decode(n), let exponent = Base64URL.decode(e), !exponent.isEmpty,
              exponent.count <= 8
        else {
            throw JOSEError(.invalidKey, "RSA JWK members n and e must be base64url without padding")
        }
        let significant = modulus.drop { $0 == 0 }
        guard significant.count * 8 <= Self.maximumBits else {
            throw JOSEError(.invalidKey, "the RSA key is larger than \(Self.maximumBits) bits")
        }
        guard significant.count * 8 >= Self.minimumBits else {
            throw JOSEError(.invalidKey, "the RSA key has \(significant.count * 8) bits; at least \(Self.minimumBits) are required")
        }
        do { key = try _RSA.Signing.PublicKey(n: modulus, e: exponent) } catch {
            throw JOSEError(.invalidKey, "n and e are not an RSA public key of at least \(Self.minimumBits) bits")
        }
        declaredKID = kid
        var input = Array(#"{"e":""#.utf8)
        input += e.utf8
        input += #"","kty":"RSA","n":""#.utf8
        input += n.utf8
        input += #""}"#.utf8
        thumbprint = Base64URL.encode(Array(SHA256.hash(data: input)))
    }

    /// RS256 (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3): the signature must be exactly
    /// as long as the modulus.
    func isValidRS256(_ signature: [UInt8], of input: [UInt8]) -> Bool {
        guard signature.count == (bits + 7) / 8 else { return false }
        return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature),
                                    for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5)
    }

    public static func == (lhs: RSAPublicJWK, rhs: RSAPublicJWK) -> Bool {
        lhs.thumbprint == rhs.thumbprint && lhs.declaredKID == rhs.declaredKID
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(thumbprint) }
}

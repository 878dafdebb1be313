import Crypto
import Foundation
import HeraldCore

/// A private signing key. Its bytes leave this type only to be sealed (``KeySealer``).
public struct SigningKey: Sendable {
    enum Material: Sendable {
        case p256(P256.Signing.PrivateKey)
        case ed25519(Curve25519.Signing.PrivateKey)
    }

    let material: Material
    /// The public half, whose thumbprint is the kid.
    public let publicKey: PublicJWK

    private init(_ material: Material) {
        self.material = material
        switch material {
        case .p256(let key): publicKey = PublicJWK(.p256(key.publicKey))
        case .ed25519(let key): publicKey = PublicJWK(.ed25519(key.publicKey))
        }
    }

    /// A fresh random key for `algorithm`.
    public static func generate(_ algorithm: SigningAlgorithm) -> SigningKey {
        switch algorithm {
        case .es256: SigningKey(.p256(P256.Signing.PrivateKey()))
        case .edDSA: SigningKey(.ed25519(Curve25519.Signing.PrivateKey()))
        }
    }

    /// Restores a key from ``privateKeyBytes``.
    public init(algorithm: SigningAlgorithm, privateKeyBytes: [UInt8]) throws {
        do {
            switch algorithm {
            case .es256: self.init(.p256(try P256.Signing.PrivateKey(rawRepresentation: privateKeyBytes)))
            case .edDSA: self.init(.ed25519(try Curve25519.Signing.PrivateKey(rawRepresentation: privateKeyBytes)))
            }
        } catch {
            throw JOSEError(.invalidKey, "stored \(algorithm.rawValue) private key does not decode")
        }
    }

    public var algorithm: SigningAlgorithm { publicKey.algorithm }
    public var kid: String { publicKey.thumbprint }

    /// The raw private scalar (P-256) or seed (Ed25519), for sealing only.
    public var privateKeyBytes: [UInt8] {
        switch material {
        case .p256(let key): Array(key.rawRepresentation)
        case .ed25519(let key): Array(key.rawRepresentation)
        }
    }

    /// A JWS signature over `input`: r‖s (64 bytes, low-S: ``ECDSALowS``) for ES256, 64 bytes
    /// for Ed25519.
    public func sign(_ input: [UInt8]) throws -> [UInt8] {
        do {
            switch material {
            case .p256(let key): return ECDSALowS.normalized(Array(try key.signature(for: input).rawRepresentation))
            case .ed25519(let key): return Array(try key.signature(for: input))
            }
        } catch {
            throw JOSEError(.invalidKey, "signing failed: \(error)")
        }
    }
}

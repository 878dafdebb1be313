import Crypto
import HeraldJOSE

/// Fixed keys for the targets that sign or verify: deterministic, so a corpus replays the
/// same way every time. They sign nothing outside the fuzz harness.
enum FuzzKeys {
    static let p256Private = try! P256.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0x17, count: 32))
    static let ed25519Private = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0x29, count: 32))
    static let p256 = PublicJWK(.p256(p256Private.publicKey))
    static let ed25519 = PublicJWK(.ed25519(ed25519Private.publicKey))
    /// Both, for verifications that must fail whichever key a forged header picks.
    static let all = [p256, ed25519]
}

extension FuzzKeys {
    /// The P-256 key as a Herald signing key, for MCPS signatures.
    static let p256Signing = try! SigningKey(algorithm: .es256, privateKeyBytes: Array(p256Private.rawRepresentation))
}

extension FuzzKeys {
    /// Client-secret digests for realm round trips.
    static let secretHasher = try! MasterKey(bytes: [UInt8](repeating: 0x3C, count: 32)).secretHasher
}

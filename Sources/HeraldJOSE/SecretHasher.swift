import Crypto
import Foundation
import HeraldCore

/// Digests client secrets with HMAC-SHA256 under a key derived from the master key, with a
/// per-secret salt (ADR 0004). A stolen database alone cannot be brute-forced, and checking
/// a secret costs microseconds, which the token endpoint needs.
public struct SecretHasher: Sendable {
    private let key: SymmetricKey

    init(key: SymmetricKey) { self.key = key }

    public func digest(_ secret: String) -> SecretDigest {
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        return SecretDigest(salt: salt, digest: mac(secret, salt: salt))
    }

    /// Constant-time comparison of `secret` against `stored`.
    public func verify(_ secret: String, against stored: SecretDigest) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(stored.digest, authenticating: stored.salt + Array(secret.utf8),
                                               using: key)
    }

    private func mac(_ secret: String, salt: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: salt + Array(secret.utf8), using: key))
    }
}

import Crypto
import Foundation

/// The signature encoding of MCPS (mcps-secure 1.0 `_sign_bytes` / `_verify_bytes`): ECDSA
/// P-256 with SHA-256 as IEEE P1363 r‖s (64 bytes), s normalized to the lower half of the
/// group order (``ECDSALowS``), then **standard** base64 with padding (not base64url).
public enum MCPSSignature {
    /// Signs `input` with `key` (which must be a P-256 key) and returns base64 of r‖s, low-S.
    public static func sign(_ input: [UInt8], with key: SigningKey) throws -> String {
        guard case .p256(let privateKey) = key.material else {
            throw JOSEError(.algorithmKeyMismatch, "MCPS signatures are ES256; the key is \(key.algorithm.rawValue)")
        }
        let raw: [UInt8]
        do { raw = Array(try privateKey.signature(for: input).rawRepresentation) } catch {
            throw JOSEError(.invalidKey, "signing failed: \(error)")
        }
        return Data(ECDSALowS.normalized(raw)).base64EncodedString()
    }

    /// True when `signature` (base64 of a 64-byte r‖s) is a valid signature of `input` by `key`.
    ///
    /// One spelling per signature: base64 decoding is strict (standard alphabet, correct
    /// padding), where Python's `b64decode` silently drops characters outside the alphabet,
    /// and s must be low (``ECDSALowS``). mcps-secure's `_verify_bytes` normalizes s and so
    /// accepts the high-S twin (r, n − s) too; but every MCPS signer, mcps-secure's
    /// `_sign_bytes` and Herald, writes low-S, so refusing the twin refuses no real passport.
    public static func isValid(_ signature: String, of input: [UInt8], by key: P256.Signing.PublicKey) -> Bool {
        guard let parsed = parse(signature) else { return false }
        return key.isValidSignature(parsed, for: input)
    }

    /// The signature of standard base64 text of a 64-byte low-S r‖s; nil for anything else.
    public static func parse(_ signature: String) -> P256.Signing.ECDSASignature? {
        guard let raw = Data(base64Encoded: signature), raw.count == 64, !ECDSALowS.isHigh(Array(raw)) else { return nil }
        return try? P256.Signing.ECDSASignature(rawRepresentation: raw)
    }

    /// `isValid` for a JWK; false for keys that are not P-256.
    public static func isValid(_ signature: String, of input: [UInt8], by key: PublicJWK) -> Bool {
        guard case .p256(let publicKey) = key.material else { return false }
        return isValid(signature, of: input, by: publicKey)
    }

    /// True when `signature` verifies over the JCS of `value` (RFC 8785 member order) or,
    /// for the rare object whose member names sort differently by code point, over the
    /// code-point-ordered form mcps-secure 1.0 signs.
    public static func isValid(_ signature: String, over value: JCSValue, by key: PublicJWK) -> Bool {
        if isValid(signature, of: JCS.canonicalize(value), by: key) { return true }
        return JCS.isOrderAmbiguous(value) && isValid(signature, of: JCS.canonicalize(value, order: .codePoint), by: key)
    }
}

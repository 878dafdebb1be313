import Crypto
import Foundation

/// The signature encoding of MCPS (mcps-secure 1.0 `_sign_bytes` / `_verify_bytes`): ECDSA
/// P-256 with SHA-256 as IEEE P1363 r‖s (64 bytes), s normalized to the lower half of the
/// group order, then **standard** base64 with padding (not base64url).
public enum MCPSSignature {
    /// The P-256 group order n, big-endian.
    static let order: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
    ]
    /// ⌊n/2⌋, big-endian: s above this is "high".
    static let halfOrder: [UInt8] = [
        0x7F, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xDE, 0x73, 0x7D, 0x56, 0xD3, 0x8B, 0xCF, 0x42, 0x79, 0xDC, 0xE5, 0x61, 0x7E, 0x31, 0x92, 0xA8,
    ]

    /// Signs `input` with `key` (which must be a P-256 key) and returns base64 of r‖s, low-S.
    public static func sign(_ input: [UInt8], with key: SigningKey) throws -> String {
        guard case .p256(let privateKey) = key.material else {
            throw JOSEError(.algorithmKeyMismatch, "MCPS signatures are ES256; the key is \(key.algorithm.rawValue)")
        }
        let raw: [UInt8]
        do { raw = Array(try privateKey.signature(for: input).rawRepresentation) } catch {
            throw JOSEError(.invalidKey, "signing failed: \(error)")
        }
        return Data(normalizedLowS(raw)).base64EncodedString()
    }

    /// True when `signature` (base64 of a 64-byte r‖s) is a valid signature of `input` by `key`.
    ///
    /// High-S signatures are accepted, as mcps-secure's `_verify_bytes` accepts them (it
    /// normalizes s before verifying; (r, s) and (r, n − s) verify alike). Base64 decoding
    /// is strict (standard alphabet, correct padding), where Python's `b64decode` silently
    /// drops characters outside the alphabet: Herald never emits such text, and a verifier
    /// should not accept several spellings of one signature.
    public static func isValid(_ signature: String, of input: [UInt8], by key: P256.Signing.PublicKey) -> Bool {
        guard let parsed = parse(signature) else { return false }
        return key.isValidSignature(parsed, for: input)
    }

    /// The signature of standard base64 text of a 64-byte r‖s; nil for anything else.
    public static func parse(_ signature: String) -> P256.Signing.ECDSASignature? {
        guard let raw = Data(base64Encoded: signature), raw.count == 64 else { return nil }
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

    /// r‖s with s replaced by n − s when s > n/2 (BIP 62 low-S, as mcps-secure does).
    ///
    /// swift-crypto signs with BoringSSL, which does not normalize s, and exposes no
    /// big-integer type; the one operation needed — a 256-bit compare and subtract — is a
    /// short byte loop with a borrow, done here rather than pulling in a bignum library.
    public static func normalizedLowS(_ signature: [UInt8]) -> [UInt8] {
        precondition(signature.count == 64, "a P1363 P-256 signature is 64 bytes")
        let s = Array(signature[32..<64])
        guard isGreater(s, than: halfOrder) else { return signature }
        var result = Array(signature[0..<32])
        result.append(contentsOf: subtract(order, s))
        return result
    }

    /// True when the 32-byte big-endian `s` has its high half (s > ⌊n/2⌋).
    public static func isHighS(_ signature: [UInt8]) -> Bool {
        signature.count == 64 && isGreater(Array(signature[32..<64]), than: halfOrder)
    }

    /// Big-endian unsigned comparison of two 32-byte numbers.
    static func isGreater(_ lhs: [UInt8], than rhs: [UInt8]) -> Bool {
        for (left, right) in zip(lhs, rhs) where left != right { return left > right }
        return false
    }

    /// lhs − rhs for 32-byte big-endian numbers with lhs ≥ rhs: byte by byte from the least
    /// significant end, carrying the borrow.
    static func subtract(_ lhs: [UInt8], _ rhs: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for position in stride(from: 31, through: 0, by: -1) {
            var difference = Int(lhs[position]) - Int(rhs[position]) - borrow
            borrow = difference < 0 ? 1 : 0
            if difference < 0 { difference += 256 }
            result[position] = UInt8(difference)
        }
        return result
    }
}

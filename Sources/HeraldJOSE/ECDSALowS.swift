/// The low-S rule for ECDSA P-256 signatures (BIP 62; RFC 8725 §3.1's "do not accept
/// several encodings"): for any valid (r, s), (r, n − s) verifies too, so a verifier that
/// accepts both lets anyone turn one signature into a second, different one. Herald signs
/// with s in the lower half of the group order and refuses the upper half wherever the
/// signer is Herald itself.
///
/// swift-crypto signs with BoringSSL, which does not normalize s, and exposes no big-integer
/// type; the one operation needed — a 256-bit compare and subtract — is a short byte loop
/// with a borrow, done here rather than pulling in a bignum library.
public enum ECDSALowS {
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

    /// The 64-byte r‖s with s replaced by n − s when s > n/2.
    public static func normalized(_ signature: [UInt8]) -> [UInt8] {
        precondition(signature.count == 64, "a P1363 P-256 signature is 64 bytes")
        let s = Array(signature[32..<64])
        guard isGreater(s, than: halfOrder) else { return signature }
        var result = Array(signature[0..<32])
        result.append(contentsOf: subtract(order, s))
        return result
    }

    /// True when the 64-byte r‖s `signature` has its s in the upper half (s > ⌊n/2⌋).
    public static func isHigh(_ signature: [UInt8]) -> Bool {
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

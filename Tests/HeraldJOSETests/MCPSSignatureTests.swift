import Crypto
import Foundation
@testable import HeraldJOSE
import Testing

@Suite("MCPS ES256 signatures")
struct MCPSSignatureTests {
    private func hex(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var chars = Array(text.utf8)[...]
        while !chars.isEmpty {
            out.append(UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16)!)
            chars = chars.dropFirst(2)
        }
        return out
    }

    @Test("256-bit subtraction and comparison at the edges of the group order")
    func arithmetic() {
        let r = [UInt8](repeating: 0xAB, count: 32)
        let nMinusOne = ECDSALowS.subtract(ECDSALowS.order, [UInt8](repeating: 0, count: 31) + [1])
        #expect(nMinusOne == hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632550"))
        // s = n − 1 is high and becomes 1.
        #expect(ECDSALowS.normalized(r + nMinusOne) == r + [UInt8](repeating: 0, count: 31) + [1])
        // s = ⌊n/2⌋ is low (not above half) and stays; ⌊n/2⌋ + 1 becomes n − ⌊n/2⌋ − 1 = ⌊n/2⌋ (n is odd).
        let half = ECDSALowS.halfOrder
        #expect(ECDSALowS.normalized(r + half) == r + half)
        let halfPlusOne = hex("7FFFFFFF800000007FFFFFFFFFFFFFFFDE737D56D38BCF4279DCE5617E3192A9")
        #expect(ECDSALowS.isHigh(r + halfPlusOne))
        #expect(ECDSALowS.normalized(r + halfPlusOne) == r + half)
        // A borrow that runs across many bytes.
        #expect(ECDSALowS.subtract(hex("0100000000000000000000000000000000000000000000000000000000000000"),
                                       [UInt8](repeating: 0, count: 31) + [1])
                == [0] + [UInt8](repeating: 0xFF, count: 31))
        #expect(ECDSALowS.isGreater(ECDSALowS.order, than: half))
        #expect(!ECDSALowS.isGreater(half, than: half))
    }

    @Test("signatures are low-S, 64 bytes, standard base64 with padding, and verify")
    func lowS() throws {
        let key = SigningKey.generate(.es256)
        guard case .p256(let publicKey) = key.publicKey.material else { Issue.record("not P-256"); return }
        for round in 0..<64 {
            let input = Array("message \(round)".utf8)
            let signature = try MCPSSignature.sign(input, with: key)
            #expect(signature.count == 88 && signature.hasSuffix("="))
            let raw = Array(Data(base64Encoded: signature)!)
            #expect(!ECDSALowS.isHigh(raw))
            #expect(MCPSSignature.isValid(signature, of: input, by: publicKey))
            #expect(!MCPSSignature.isValid(signature, of: input + [0], by: publicKey))
            // The high-S twin is a second spelling of the same signature: refused (mcps-secure's
            // _verify_bytes would normalize it; every MCPS signer writes low-S).
            let high = Array(raw[0..<32]) + ECDSALowS.subtract(ECDSALowS.order, Array(raw[32..<64]))
            #expect(ECDSALowS.isHigh(high))
            #expect(!MCPSSignature.isValid(Data(high).base64EncodedString(), of: input, by: publicKey))
            #expect(ECDSALowS.normalized(high) == raw)
        }
    }

    @Test("malformed signatures are refused: base64url, wrong length, Ed25519 keys")
    func refusals() throws {
        let key = SigningKey.generate(.es256)
        let input = Array("x".utf8)
        let signature = try MCPSSignature.sign(input, with: key)
        let urlSafe = signature.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        if urlSafe != signature { #expect(!MCPSSignature.isValid(urlSafe, of: input, by: key.publicKey)) }
        #expect(!MCPSSignature.isValid(String(signature.dropLast(4)), of: input, by: key.publicKey))
        #expect(!MCPSSignature.isValid(Data(count: 64).base64EncodedString(), of: input, by: key.publicKey))
        #expect(throws: JOSEError.self) { try MCPSSignature.sign(input, with: SigningKey.generate(.edDSA)) }
    }

    @Test("timestamps: milliseconds and Z out; Z, offsets and microseconds in")
    func timestamps() {
        let date = Date(timeIntervalSince1970: 1_767_225_600.123_9)
        #expect(MCPSTimestamp.format(date) == "2026-01-01T00:00:00.123Z")
        #expect(MCPSTimestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(MCPSTimestamp.format(Date(timeIntervalSince1970: 4_070_908_800)) == "2099-01-01T00:00:00.000Z")
        #expect(MCPSTimestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
        #expect(MCPSTimestamp.parse("2026-01-01T00:00:00.000Z") == Date(timeIntervalSince1970: 1_767_225_600))
        #expect(MCPSTimestamp.parse("2026-01-01T00:00:00Z") == Date(timeIntervalSince1970: 1_767_225_600))
        #expect(MCPSTimestamp.parse("2026-01-01T02:00:00.500000+02:00") == Date(timeIntervalSince1970: 1_767_225_600.5))
        for bad in ["2026-01-01T00:00:00", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01", "2026-01-01T00:00:00.Z",
                    "2026-01-01T00:00:00Zx"] {
            #expect(MCPSTimestamp.parse(bad) == nil, "\(bad)")
        }
    }
}

@Suite("MCPS passport limits")
struct MCPSPassportLimitTests {
    @Test("signing refuses what validate_passport_format would refuse: size, chain depth, capabilities, id")
    func limits() throws {
        let key = SigningKey.generate(.es256)
        func passport(capabilities: [String] = [], chain: [String] = [], id: String = MCPSPassport.newID()) -> MCPSPassport {
            MCPSPassport(passportID: id, agent: PassportAgent(name: "a", version: "1", capabilities: capabilities),
                         publicKey: key.publicKey, origin: nil, trustLevel: .l1, issuedAt: Date(),
                         expiresAt: Date().addingTimeInterval(60), issuer: "https://h.example/realms/acme", issuerChain: chain)
        }
        let signed = try passport().signed(with: key)
        #expect(signed.json.count == JCS.canonicalize(signed.jcsValue).count)
        #expect(MCPSPassport.isWellFormedID(signed.passport.passportID))
        #expect(throws: JOSEError.self) { try passport(capabilities: (0..<65).map { "c\($0)" }).signed(with: key) }
        #expect(throws: JOSEError.self) { try passport(chain: Array(repeating: "AA==", count: 6)).signed(with: key) }
        #expect(throws: JOSEError.self) { try passport(id: "asp_XYZ").signed(with: key) }
        #expect(throws: JOSEError.self) { try passport(capabilities: [String(repeating: "x", count: 8200)]).signed(with: key) }
        #expect(!MCPSPassport.isWellFormedID("asp_00112233445566778899AABBCCDDEEFF"))
    }
}

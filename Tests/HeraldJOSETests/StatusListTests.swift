import CZlib
import Foundation
@testable import HeraldJOSE
import Testing

@Suite("Token Status List")
struct StatusListTests {
    /// An independent decoder: base64url by Foundation, inflation by zlib directly, bit
    /// unpacking written here (LSB first), none of it Herald's.
    static func independentDecode(_ lst: String, bits: Int) -> [Int] {
        var base64 = lst.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        let compressed = Array(Data(base64Encoded: base64)!)
        var out = [UInt8](repeating: 0, count: 1 << 20)
        var length = uLong(out.count)
        let result = uncompress(&out, &length, compressed, uLong(compressed.count))
        precondition(result == Z_OK, "zlib said \(result)")
        var statuses: [Int] = []
        for byte in out.prefix(Int(length)) {
            for slot in 0..<(8 / bits) {
                statuses.append(Int(byte >> UInt8(slot * bits)) & ((1 << bits) - 1))
            }
        }
        return statuses
    }

    @Test("the draft's examples decode (1-bit and 2-bit)")
    func draftExamples() throws {
        let one = try StatusList(bits: 1, encodedList: "eNrbuRgAAhcBXQ")
        #expect(one.bytes == [0xB9, 0xA3])
        #expect((0..<16).map { one[$0] } == [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1])
        let two = try StatusList(bits: 2, encodedList: "eNo76fITAAPfAgc")
        #expect(two.bytes == [0xC9, 0x44, 0xF9])
        #expect((0..<12).map { two[$0] } == [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3])
    }

    @Test("bits are packed from the least significant bit; an independent decoder agrees")
    func packing() throws {
        var list = StatusList(bits: 2, capacity: 16)
        #expect(list.count == 16 && list.bytes == [0, 0, 0, 0])
        list.set(.invalid, at: 0)
        list.set(.suspended, at: 1)
        list.set(.suspended, at: 7)
        list.set(.invalid, at: 13)
        #expect(list.bytes == [0b0000_1001, 0b1000_0000, 0, 0b0000_0100])
        list.set(.valid, at: 1)
        #expect(list.bytes[0] == 0b0000_0001)
        #expect(list.status(at: 7) == .suspended && list.status(at: 13) == .invalid && list.status(at: 2) == .valid)
        #expect(list[1000] == 0)

        var big = StatusList(bits: 2, capacity: 10_000)
        var expected = [Int](repeating: 0, count: 10_000)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let index = Int.random(in: 0..<10_000, using: &generator)
            let status = StatusList.Status.allCases.randomElement(using: &generator)!
            big.set(status, at: index)
            expected[index] = Int(status.rawValue)
        }
        let lst = try big.encodedList()
        #expect(Array(Self.independentDecode(lst, bits: 2).prefix(10_000)) == expected)
        #expect(try StatusList(bits: 2, encodedList: lst) == big)
    }

    @Test("setting past the end grows the list; bad input is refused")
    func growthAndRefusals() throws {
        var list = StatusList()
        list.set(.suspended, at: 41)
        #expect(list.bytes.count == 11 && list[41] == 2)
        #expect(Self.independentDecode(try list.encodedList(), bits: 2)[41] == 2)
        #expect(throws: JOSEError.self) { try StatusList(bits: 2, encodedList: "not*base64") }
        #expect(throws: JOSEError.self) { try StatusList(bits: 2, encodedList: Base64URL.encode([1, 2, 3, 4])) }
        #expect(throws: JOSEError.self) { try StatusList(bits: 3, bytes: [0]) }
    }

    @Test("a Python zlib decodes the list, when python3 is on the machine")
    func pythonInterop() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { return }
        var list = StatusList(capacity: 64)
        list.set(.suspended, at: 5)
        let lst = try list.encodedList()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", """
            import base64, sys, zlib
            s = sys.argv[1]; b = zlib.decompress(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
            print((b[5 * 2 // 8] >> (5 * 2 % 8)) & 3)
            """, lst]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
    }

    @Test("status list token claims: sub, iat, exp, ttl, status_list")
    func claims() throws {
        var list = StatusList(capacity: 8)
        list.set(.suspended, at: 3)
        let claims = StatusListClaims(issuer: "https://h.example/realms/acme", subject: "https://h.example/realms/acme/statuslists/1",
                                      issuedAt: 1_767_225_600, expiresAt: 1_767_229_200, timeToLive: 300, list: list)
        let key = SigningKey.generate(.es256)
        let token = try claims.signed(by: JWTSigner(key: key))
        let verified = try UnverifiedJWS(compact: token).verify(with: [key.publicKey])
        #expect(verified.header.typ == "statuslist+jwt")
        let object = try JCSParser.parse(verified.payload)
        #expect(object["sub"] == "https://h.example/realms/acme/statuslists/1")
        #expect(object["ttl"] == 300 && object["exp"] == 1_767_229_200 && object["iat"] == 1_767_225_600)
        #expect(object["status_list"]?["bits"] == 2)
        #expect(Self.independentDecode(object["status_list"]!["lst"]!.stringValue!, bits: 2)[3] == 2)
        #expect(try StatusListClaims(payload: verified.payload) == claims)
    }
}

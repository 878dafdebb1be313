import Foundation
import HeraldCore
import HeraldJOSE
import HeraldVerifier
import Testing

/// Passports made by mcps-secure 1.0 itself (`create_passport` + `sign_passport`, recorded
/// once), verified by Herald.
@Suite("mcps-secure passports")
struct MCPSInteropFixtureTests {
    /// Signed by mcps-secure with microsecond timestamps and a `scan` whose member names
    /// sort differently by code point (how mcps-secure signs) and by UTF-16 (RFC 8785).
    static let passport = #"""
        {"mcps_version": "1.0", "passport_id": "asp_515087950e01ec02a5596f44d418bc11", "agent": {"name": "x", "version": "1.0.0", "capabilities": []}, "public_key": {"kty": "EC", "crv": "P-256", "x": "NmTj_qe90hDcLnkRZq93vnnuUSHAsTCsJanB_zMAsK8", "y": "xkz-l1f4UvIT2waoNf9IeryAUMGeVojtRCDkzl-uJPk"}, "origin": null, "scan": {"\ue000": 1, "\ud83d\ude00": 2}, "trust_level": 3, "issued_at": "2026-12-01T08:20:13.599168Z", "expires_at": "2027-12-01T08:20:13.599168Z", "issuer": "ta", "issuer_chain": [], "signature": "/VsM6dLWA77qABdEHtkZBY4Fl1ChUPEylAR+1QJGrao9p6traGNl5Rle8BufQN33lGIptcVXoQwAjLnTXNfy4Q=="}
        """#
    static let pem = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAENmTj/qe90hDcLnkRZq93vnnuUSHA
        sTCsJanB/zMAsK/GTP6XV/hS8hPbBqg1/0h6vIBQwZ5WiO1EIOTOX64k+Q==
        -----END PUBLIC KEY-----
        """

    @Test("a passport signed by mcps-secure verifies, code-point member order included")
    func mcpsSecurePassport() throws {
        let key = try PublicJWK(pem: Self.pem)
        let now = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15
        let verified = try PassportVerifier(keys: [key], issuer: "ta").verify(Self.passport, now: now)
        #expect(verified.trustLevel == .l3 && verified.passportID == "asp_515087950e01ec02a5596f44d418bc11")
        #expect(verified.mcpsPassport?.origin == nil)
        #expect(JCS.isOrderAmbiguous(try JCSParser.parse(Self.passport)))
        #expect(throws: PassportVerificationError.self) {
            try PassportVerifier(keys: [key]).verify(Self.passport, now: Date(timeIntervalSince1970: 1_830_000_000))
        }
    }

    @Test("Herald refuses to sign a passport whose member order mcps-secure would not reproduce")
    func ambiguousOrderRefused() {
        let key = SigningKey.generate(.es256)
        let passport = MCPSPassport(agent: PassportAgent(name: "x", version: "1", capabilities: []), publicKey: key.publicKey,
                                    origin: nil, scan: ["\u{E000}": 1, "😀": 2], trustLevel: .l1, issuedAt: Date(),
                                    expiresAt: Date().addingTimeInterval(60), issuer: "ta")
        #expect(throws: JOSEError.self) { try passport.signed(with: key) }
    }
}

import _CryptoExtras
import Crypto
import Foundation
import HeraldCore
@testable import HeraldJOSE
import Testing

/// Third-party (upstream IdP) JWS verification: RS256 with RSA keys, the algorithm taken
/// from the key, `none` and HMAC refused.
@Suite("Third-party JWS")
struct ThirdPartyJWSTests {
    static let rsa = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    static func rsaJWKS(kid: String, extra: String = "") -> Data {
        let pub = rsa.publicKey.pkcs1DERRepresentation
        // PKCS#1 RSAPublicKey: SEQUENCE { INTEGER n, INTEGER e } — read n and e back out.
        let (n, e) = Self.modulusAndExponent(Array(pub))
        return Data(#"{"keys":[\#(extra){"kty":"RSA","kid":"\#(kid)","use":"sig","alg":"RS256","n":"\#(Base64URL.encode(n))","e":"\#(Base64URL.encode(e))"}]}"#.utf8)
    }

    static func modulusAndExponent(_ der: [UInt8]) -> ([UInt8], [UInt8]) {
        var index = 0
        func length() -> Int {
            let first = Int(der[index]); index += 1
            guard first & 0x80 != 0 else { return first }
            var value = 0
            for _ in 0..<(first & 0x7F) { value = value << 8 | Int(der[index]); index += 1 }
            return value
        }
        index += 1; _ = length()  // SEQUENCE
        index += 1; let nLength = length()
        let n = Array(der[index..<(index + nLength)].drop { $0 == 0 }); index += nLength
        index += 1; let eLength = length()
        return (n, Array(der[index..<(index + eLength)]))
    }

    static func rs256(_ header: String, _ payload: String) throws -> String {
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        let signature = try rsa.signature(for: SHA256.hash(data: Array(input.utf8)), padding: .insecurePKCS1v1_5)
        return input + "." + Base64URL.encode(Array(signature.rawRepresentation))
    }

    @Test("an RS256 token verifies with the RSA key its kid names; the Keycloak encryption key is skipped")
    func rs256Verifies() throws {
        let enc = #"{"kty":"RSA","kid":"enc-1","use":"enc","alg":"RSA-OAEP","n":"AQAB","e":"AQAB"},"#
        let set = try ThirdPartyJWK.parseSet(json: Self.rsaJWKS(kid: "k1", extra: enc))
        #expect(set.keys.count == 1 && set.skipped.count == 1)
        let token = try Self.rs256(#"{"alg":"RS256","kid":"k1","typ":"JWT"}"#, #"{"sub":"alice"}"#)
        let verified = try UnverifiedJWS(compact: token).verify(withThirdParty: set.keys)
        #expect(verified.kid == "k1" && verified.algorithm == "RS256")
        #expect(String(decoding: verified.payload, as: UTF8.self) == #"{"sub":"alice"}"#)
    }

    @Test("a changed payload under an RS256 signature does not verify")
    func rs256Tampered() throws {
        let keys = try ThirdPartyJWK.parseSet(json: Self.rsaJWKS(kid: "k1")).keys
        let token = try Self.rs256(#"{"alg":"RS256","kid":"k1"}"#, #"{"sub":"alice"}"#)
        var parts = token.split(separator: ".").map(String.init)
        parts[1] = Base64URL.encode(Array(#"{"sub":"mallory"}"#.utf8))
        #expect(throws: JOSEError(.badSignature, "the signature does not verify with the IdP's key")) {
            try UnverifiedJWS(compact: parts.joined(separator: ".")).verify(withThirdParty: keys)
        }
    }

    @Test("alg none and HS256 keyed with the public key are refused before any key is used")
    func noneAndHMAC() throws {
        let jwks = Self.rsaJWKS(kid: "k1")
        let keys = try ThirdPartyJWK.parseSet(json: jwks).keys
        let none = Base64URL.encode(Array(#"{"alg":"none"}"#.utf8)) + "." + Base64URL.encode(Array("{}".utf8)) + "."
        #expect(throws: JOSEError(.unsupportedAlgorithm, "alg none (an unsigned token) is never accepted")) {
            try UnverifiedJWS(compact: none).verify(withThirdParty: keys)
        }
        let input = Base64URL.encode(Array(#"{"alg":"HS256","kid":"k1"}"#.utf8)) + "." + Base64URL.encode(Array("{}".utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: jwks))
        let error = #expect(throws: JOSEError.self) {
            try UnverifiedJWS(compact: input + "." + Base64URL.encode(Array(mac))).verify(withThirdParty: keys)
        }
        #expect(error?.code == .unsupportedAlgorithm)
    }

    @Test("the header alg must be the key's: ES256 claimed for an RSA key is refused")
    func algorithmFromKey() throws {
        let keys = try ThirdPartyJWK.parseSet(json: Self.rsaJWKS(kid: "k1")).keys
        let signer = SigningKey.generate(.es256)
        let token = try JWTSigner(key: signer).sign(claims: Array("{}".utf8), typ: "JWT")
        var parts = token.split(separator: ".").map(String.init)
        parts[0] = Base64URL.encode(Array(#"{"alg":"ES256","kid":"k1"}"#.utf8))
        let error = #expect(throws: JOSEError.self) {
            try UnverifiedJWS(compact: parts.joined(separator: ".")).verify(withThirdParty: keys)
        }
        #expect(error?.code == .algorithmKeyMismatch)
    }

    @Test("an unknown kid is .unknownKey (the caller re-fetches once); ES256 keys verify too")
    func unknownKidAndES256() throws {
        let signer = SigningKey.generate(.es256)
        let jwks = Data(#"{"keys":[\#(signer.publicKey.json(includeMetadata: true))]}"#.utf8)
        let keys = try ThirdPartyJWK.parseSet(json: jwks).keys
        let token = try JWTSigner(key: signer).sign(claims: Array(#"{"sub":"bot"}"#.utf8), typ: "at+jwt")
        #expect(try UnverifiedJWS(compact: token).verify(withThirdParty: keys).algorithm == "ES256")
        let other = try JWTSigner(key: SigningKey.generate(.es256)).sign(claims: Array("{}".utf8), typ: "at+jwt")
        let error = #expect(throws: JOSEError.self) { try UnverifiedJWS(compact: other).verify(withThirdParty: keys) }
        #expect(error?.code == .unknownKey)
    }

    @Test("RSA keys under 2048 bits, private members and sets without a usable key are refused")
    func keyRefusals() throws {
        let small = try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: 1024))
        let (n, e) = Self.modulusAndExponent(Array(small.publicKey.pkcs1DERRepresentation))
        let error = #expect(throws: JOSEError.self) {
            try RSAPublicJWK(n: Base64URL.encode(n), e: Base64URL.encode(e), kid: nil)
        }
        #expect(error?.reason.contains("at least 2048") == true)
        #expect(throws: JOSEError.self) {
            try ThirdPartyJWK.parseSet(json: Data(#"{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}"#.utf8))
        }
        #expect(throws: JOSEError.self) {
            try ThirdPartyJWK.parseSet(json: Data(#"{"keys":[{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}]}"#.utf8))
        }
    }
}

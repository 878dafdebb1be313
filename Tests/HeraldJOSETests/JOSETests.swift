import Crypto
import Foundation
import HeraldCore
@testable import HeraldJOSE
import Testing

@Suite("JOSE")
struct JOSETests {
    @Test("base64url round-trips and refuses padding and foreign alphabets")
    func base64url() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
        #expect(Base64URL.encode(Array("hello?>".utf8)) == "aGVsbG8_Pg")
        #expect(Base64URL.decode("aGVsbG8_Pg==") == nil)
        #expect(Base64URL.decode("aGVsbG8/Pg") == nil)
        #expect(Base64URL.decode("a") == nil)
        #expect(Base64URL.decode("aGVsbG8_Ph") == nil)  // non-zero trailing bits
    }

    @Test("RFC 8037 A.3: Ed25519 JWK thumbprint")
    func ed25519Thumbprint() throws {
        let key = try PublicJWK(json: Data(#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#.utf8))
        #expect(key.thumbprint == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
    }

    @Test("EC thumbprint is SHA-256 of the RFC 7638 canonical members")
    func ecThumbprint() throws {
        let key = SigningKey.generate(.es256)
        let jwk = try JSONSerialization.jsonObject(with: Data(key.publicKey.json(includeMetadata: false).utf8)) as! [String: String]
        let canonical = #"{"crv":"P-256","kty":"EC","x":"\#(jwk["x"]!)","y":"\#(jwk["y"]!)"}"#
        #expect(key.kid == Base64URL.encode(Array(SHA256.hash(data: Data(canonical.utf8)))))
    }

    @Test("JWK parsing refuses private keys, unknown curves and a mismatched alg")
    func jwkRefusals() {
        let ec = SigningKey.generate(.es256).publicKey.json(includeMetadata: false)
        #expect(throws: JOSEError.self) { try PublicJWK(json: Data(ec.replacingOccurrences(of: "}", with: #","d":"AAAA"}"#).utf8)) }
        #expect(throws: JOSEError.self) { try PublicJWK(json: Data(ec.replacingOccurrences(of: "P-256", with: "P-384").utf8)) }
        #expect(throws: JOSEError.self) { try PublicJWK(json: Data(ec.replacingOccurrences(of: "}", with: #","alg":"RS256"}"#).utf8)) }
        #expect(throws: JOSEError.self) { try PublicJWK(json: Data(#"{"kty":"oct","k":"c2VjcmV0"}"#.utf8)) }
        #expect(throws: JOSEError.self) { try PublicJWK.parseSet(json: Data(#"{"keys":[]}"#.utf8)) }
    }

    @Test("signed tokens verify with their key, for both algorithms", arguments: SigningAlgorithm.allCases)
    func signVerify(algorithm: SigningAlgorithm) throws {
        let key = SigningKey.generate(algorithm)
        let token = try JWTSigner(key: key).sign(claims: Array(#"{"sub":"a"}"#.utf8), typ: "at+jwt")
        let verified = try UnverifiedJWS(compact: token).verify(with: [key.publicKey])
        #expect(verified.payload == Array(#"{"sub":"a"}"#.utf8))
        #expect(verified.header.typ == "at+jwt")
        #expect(verified.header.kid == key.kid)
        #expect(verified.header.alg == algorithm.rawValue)
        let other = SigningKey.generate(algorithm)
        #expect(throws: JOSEError.self) { try UnverifiedJWS(compact: token).verify(with: [other.publicKey]) }
    }

    @Test("alg none, HMAC with the public key, and a foreign alg are refused before any crypto")
    func algorithmConfusion() throws {
        let key = SigningKey.generate(.es256)
        let payload = Base64URL.encode(Array(#"{"sub":"a"}"#.utf8))
        func header(_ json: String) -> String { Base64URL.encode(Array(json.utf8)) }

        let none = "\(header(#"{"alg":"none"}"#)).\(payload)."
        #expect(throws: JOSEError(.unsupportedAlgorithm, "alg none is not accepted; use ES256 or EdDSA")) {
            try UnverifiedJWS(compact: none).verify(with: [key.publicKey])
        }

        let hsInput = "\(header(#"{"alg":"HS256"}"#)).\(payload)"
        let hmacKey = SymmetricKey(data: Data(key.publicKey.json(includeMetadata: false).utf8))
        let mac = Array(HMAC<SHA256>.authenticationCode(for: Data(hsInput.utf8), using: hmacKey))
        #expect(throws: JOSEError.self) { try UnverifiedJWS(compact: "\(hsInput).\(Base64URL.encode(mac))").verify(with: [key.publicKey]) }

        let eddsa = try JWTSigner(key: SigningKey.generate(.edDSA)).sign(claims: Array("{}".utf8), typ: "JWT")
        #expect(throws: JOSEError.self) { try UnverifiedJWS(compact: eddsa).verify(with: [key.publicKey]) }
    }

    @Test("malformed compact serialisations and critical headers are refused",
          arguments: ["", "a.b", "a.b.c.d", "!!.e30.", "e30.e30.", "eyJhbGciOiJFUzI1NiJ9.e30.AA=="])
    func malformed(token: String) {
        let key = SigningKey.generate(.es256)
        #expect(throws: JOSEError.self) { try UnverifiedJWS(compact: token).verify(with: [key.publicKey]) }
    }

    @Test("crit is refused")
    func crit() {
        let header = Base64URL.encode(Array(#"{"alg":"ES256","crit":["b64"],"b64":false}"#.utf8))
        #expect(throws: JOSEError.self) { try UnverifiedJWS(compact: "\(header).e30.AAAA") }
    }

    @Test("sealed keys open only with the same master key, realm and kid")
    func sealing() throws {
        let master = try MasterKey(bytes: Array(repeating: 7, count: 32))
        let sealed = try master.keySealer.seal([1, 2, 3], realm: "acme", kid: "k1")
        #expect(try master.keySealer.open(sealed, realm: "acme", kid: "k1") == [1, 2, 3])
        #expect(throws: JOSEError.self) { try master.keySealer.open(sealed, realm: "acme", kid: "k2") }
        #expect(throws: JOSEError.self) { try master.keySealer.open(sealed, realm: "globex", kid: "k1") }
        let other = try MasterKey(bytes: Array(repeating: 8, count: 32))
        #expect(throws: JOSEError.self) { try other.keySealer.open(sealed, realm: "acme", kid: "k1") }
    }

    @Test("secret digests are salted and verify only the right secret")
    func secrets() throws {
        let hasher = try MasterKey(bytes: Array(repeating: 1, count: 32)).secretHasher
        let first = hasher.digest("correct horse battery staple")
        let second = hasher.digest("correct horse battery staple")
        #expect(first != second)
        #expect(hasher.verify("correct horse battery staple", against: first))
        #expect(hasher.verify("correct horse battery staple", against: second))
        #expect(!hasher.verify("correct horse battery stapler", against: first))
        let otherHasher = try MasterKey(bytes: Array(repeating: 2, count: 32)).secretHasher
        #expect(!otherHasher.verify("correct horse battery staple", against: first))
    }

    @Test("the master key file is created once with mode 0600")
    func masterKeyFile() throws {
        let path = NSTemporaryDirectory() + "herald-mk-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (_, created) = try MasterKey.loadOrCreate(path: path)
        #expect(created)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber
        #expect(mode.intValue & 0o777 == 0o600)
        let (_, again) = try MasterKey.loadOrCreate(path: path)
        #expect(!again)
        #expect(!MasterKey.isTooOpen(path: path))
    }

    @Test("JSON writer escapes per RFC 8785")
    func jsonEscapes() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("k", "a\"b\\c\n\u{01}é")
        writer.member("n", -5)
        writer.member("l", strings: [])
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"k":"a\"b\\c\n\u0001é","n":-5,"l":[]}"#)
    }
}

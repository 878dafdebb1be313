import Crypto
import Foundation
import HeraldCore
@testable import HeraldJOSE
import Testing

/// Regressions of the attack corpus (Tests/interop/test_attacks_*.py): one JWS, one
/// reading; one signature, one spelling.
@Suite("JWS duplicate members and signature malleability")
struct JWSMalleabilityTests {
    private static func segment(_ json: String) -> String { Base64URL.encode(Array(json.utf8)) }

    private static func signed(header: String, payload: String, with key: SigningKey) throws -> String {
        let input = segment(header) + "." + segment(payload)
        return input + "." + Base64URL.encode(try key.sign(Array(input.utf8)))
    }

    /// The same signature with s replaced by n − s.
    private static func highSTwin(_ token: String) -> String {
        let parts = token.split(separator: ".").map(String.init)
        var signature = Base64URL.decode(parts[2])!
        signature = Array(signature[0..<32]) + ECDSALowS.subtract(ECDSALowS.order, Array(signature[32..<64]))
        return parts[0] + "." + parts[1] + "." + Base64URL.encode(signature)
    }

    @Test("a header or payload naming a member twice is refused, whichever copy a parser would keep", arguments: [
        (#"{"alg":"ES256","alg":"none"}"#, #"{"sub":"a"}"#),
        (#"{"alg":"none","alg":"ES256"}"#, #"{"sub":"a"}"#),
        (#"{"alg":"ES256","typ":"JWT","typ":"at+jwt"}"#, #"{"sub":"a"}"#),
        (#"{"alg":"ES256","kid":1.5,"kid":"k"}"#, #"{"sub":"a"}"#),  // the JSONDecoder fallback path
        (#"{"alg":"ES256"}"#, #"{"sub":"a","exp":1,"sub":"b"}"#),
        (#"{"alg":"ES256"}"#, #"{"sub":"a","mcps":{"trust_level":1,"trust_level":4}}"#),
        (#"{"alg":"ES256"}"#, #"{"exp":1.5,"iss":"x","iss":"y"}"#),
    ])
    func duplicateMembers(header: String, payload: String) throws {
        let key = SigningKey.generate(.es256)
        let token = try Self.signed(header: header, payload: payload, with: key)
        let error = #expect(throws: JOSEError.self) { try UnverifiedJWS(compact: token) }
        #expect(error?.code == .malformed)
        #expect(error?.reason.contains("duplicate member name") == true, "\(error?.reason ?? "")")
    }

    @Test("payloads with any JSON number, nested objects and escapes still parse")
    func lenientPayloads() throws {
        let key = SigningKey.generate(.es256)
        let payload = #"{"exp":1796115692.5,"nbf":-1e3,"n":12345678901234567890,"o":{"a":[{"b":1},{"b":2}]},"s":"\u0041\""}"#
        let token = try Self.signed(header: #"{"alg":"ES256"}"#, payload: payload, with: key)
        let verified = try UnverifiedJWS(compact: token).verify(with: [key.publicKey])
        #expect(verified.payload == Array(payload.utf8))
        #expect(throws: JOSEError.self) { try JCSParser.checkUniqueMemberNames(Array(#"{"a":01}"#.utf8)) }
        #expect(throws: JOSEError.self) { try JCSParser.checkUniqueMemberNames(Array(#"{"a":1.}"#.utf8)) }
        #expect(throws: JOSEError.self) { try JCSParser.checkUniqueMemberNames(Array(#"{"a":1e}"#.utf8)) }
    }

    @Test("Herald signs ES256 low-S")
    func signsLowS() throws {
        let key = SigningKey.generate(.es256)
        for round in 0..<64 {
            #expect(!ECDSALowS.isHigh(try key.sign(Array("message \(round)".utf8))))
        }
    }

    @Test("the high-S twin of a valid ES256 JWS is refused, unless the caller accepts high-S")
    func highS() throws {
        let key = SigningKey.generate(.es256)
        let token = try Self.signed(header: #"{"alg":"ES256","typ":"at+jwt"}"#, payload: #"{"sub":"a"}"#, with: key)
        _ = try UnverifiedJWS(compact: token).verify(with: [key.publicKey])
        let twin = Self.highSTwin(token)
        #expect(twin != token)
        let error = #expect(throws: JOSEError.self) { try UnverifiedJWS(compact: twin).verify(with: [key.publicKey]) }
        #expect(error?.code == .badSignature)
        // Client assertions (third-party signers, RFC 7518 §3.4) and stored checkpoints.
        _ = try UnverifiedJWS(compact: twin).verify(with: [key.publicKey], acceptingHighS: true)
    }

    @Test("a DER-encoded ES256 signature is refused: JWS signatures are r‖s")
    func derSignature() throws {
        let key = SigningKey.generate(.es256)
        let input = Self.segment(#"{"alg":"ES256"}"#) + "." + Self.segment(#"{"sub":"a"}"#)
        let raw = try key.sign(Array(input.utf8))
        let der = try P256.Signing.ECDSASignature(rawRepresentation: raw).derRepresentation
        let token = input + "." + Base64URL.encode(Array(der))
        #expect(throws: JOSEError.self) { try UnverifiedJWS(compact: token).verify(with: [key.publicKey], acceptingHighS: true) }
    }

    @Test("the high-S twin of an MCPS passport signature is refused")
    func mcpsHighS() throws {
        let key = SigningKey.generate(.es256)
        let input = Array("passport".utf8)
        let signature = try MCPSSignature.sign(input, with: key)
        let raw = Array(Data(base64Encoded: signature)!)
        let twin = Data(Array(raw[0..<32]) + ECDSALowS.subtract(ECDSALowS.order, Array(raw[32..<64]))).base64EncodedString()
        #expect(MCPSSignature.isValid(signature, of: input, by: key.publicKey))
        #expect(!MCPSSignature.isValid(twin, of: input, by: key.publicKey))
    }
}

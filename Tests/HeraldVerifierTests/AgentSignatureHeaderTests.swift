import Foundation
import HeraldCore
import HeraldVerifier
import Testing

@Suite("Agent-Signature header (wire-formats §5)")
struct AgentSignatureHeaderTests {
    static let sig = Data((0..<64).map { UInt8($0) }).base64EncodedString()
    static let valid = #"keyid="kid-1", alg="ES256", ts="1767225600", nonce="0123456789abcdef", trust="L3", sig="\#(sig)""#

    private func code(_ value: String) -> AgentSignatureHeaderError.Code? {
        do {
            _ = try AgentSignatureHeader(parsing: value)
            return nil
        } catch {
            return error.code
        }
    }

    @Test("a §5 header parses, in any order and with or without trust, and renders back")
    func parsesAndRenders() throws {
        let header = try AgentSignatureHeader(parsing: Self.valid)
        #expect(header.keyID == "kid-1" && header.algorithm == "ES256" && header.timestamp == 1_767_225_600)
        #expect(header.nonce == "0123456789abcdef" && header.trust == .l3 && header.signature == Array(0..<64))
        #expect(header.rendered == Self.valid)
        #expect(try AgentSignatureHeader(parsing: header.rendered) == header)

        let reordered = try AgentSignatureHeader(
            parsing: #"  sig="\#(Self.sig)",nonce="0123456789ABCDEF",  ts="0" ,keyid="k", alg="EdDSA"  "#)
        #expect(reordered.trust == nil && reordered.timestamp == 0 && reordered.nonce == "0123456789ABCDEF")
        #expect(!reordered.rendered.contains("trust="))
    }

    @Test("each mistake has its own code", arguments: [
        ("", AgentSignatureHeaderError.Code.length),
        (String(repeating: "a", count: 1025), .length),
        (#"keyid="k", alg="ES256", ts="1", nonce="0123456789abcdef", sig="\#(sig)", extra="x""#, .unknownParameter),
        (#"keyid="k", keyid="k", alg="ES256", ts="1", nonce="0123456789abcdef", sig="\#(sig)""#, .duplicateParameter),
        // two header lines combined by a proxy
        (valid + ", " + valid, .duplicateParameter),
        (#"keyid=k, alg="ES256", ts="1", nonce="0123456789abcdef", sig="\#(sig)""#, .badQuoting),
        (#"keyid="k, alg="ES256""#, .badQuoting),
        (#"keyid="k\"x", alg="ES256", ts="1", nonce="0123456789abcdef", sig="\#(sig)""#, .badQuoting),
        (#"keyid = "k", alg="ES256", ts="1", nonce="0123456789abcdef", sig="\#(sig)""#, .badQuoting),
        (#"keyid="k" alg="ES256", ts="1", nonce="0123456789abcdef", sig="\#(sig)""#, .badQuoting),
        (#"keyid="k", alg="ES256", ts="1", nonce="0123456789abcdef", sig="\#(sig)","#, .badQuoting),
        (#"keyid="a b", alg="ES256", ts="1", nonce="0123456789abcdef", sig="\#(sig)""#, .badQuoting),
        (#"keyid="é", alg="ES256", ts="1", nonce="0123456789abcdef", sig="\#(sig)""#, .badQuoting),
        (#"KeyId="k", alg="ES256", ts="1", nonce="0123456789abcdef", sig="\#(sig)""#, .badQuoting),
        (#"alg="ES256", ts="1", nonce="0123456789abcdef", sig="\#(sig)""#, .missingParameter),
        (#"keyid="k", alg="ES256", ts="1", nonce="0123456789abcdef""#, .missingParameter),
        (#"keyid="", alg="ES256", ts="1", nonce="0123456789abcdef", sig="\#(sig)""#, .emptyValue),
        (#"keyid="k", alg="ES256", ts="01", nonce="0123456789abcdef", sig="\#(sig)""#, .invalidTimestamp),
        (#"keyid="k", alg="ES256", ts="-1", nonce="0123456789abcdef", sig="\#(sig)""#, .invalidTimestamp),
        (#"keyid="k", alg="ES256", ts="1.5", nonce="0123456789abcdef", sig="\#(sig)""#, .invalidTimestamp),
        (#"keyid="k", alg="ES256", ts="1", nonce="0123456789abcde", sig="\#(sig)""#, .invalidNonce),
        (#"keyid="k", alg="ES256", ts="1", nonce="0123456789abcdeg", sig="\#(sig)""#, .invalidNonce),
        (#"keyid="k", alg="ES256", ts="1", nonce="\#(String(repeating: "a", count: 257))", sig="\#(sig)""#, .invalidNonce),
        (#"keyid="k", alg="ES256", ts="1", nonce="0123456789abcdef", trust="l3", sig="\#(sig)""#, .invalidTrust),
        (#"keyid="k", alg="ES256", ts="1", nonce="0123456789abcdef", trust="L5", sig="\#(sig)""#, .invalidTrust),
        (#"keyid="k", alg="ES256", ts="1", nonce="0123456789abcdef", sig="AAAA""#, .invalidSignature),
        // base64url alphabet, padding dropped, 65 bytes, DER-length garbage
        (#"keyid="k", alg="ES256", ts="1", nonce="0123456789abcdef", sig="\#(Data(repeating: 0xFB, count: 64).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))""#, .invalidSignature),
        (#"keyid="k", alg="ES256", ts="1", nonce="0123456789abcdef", sig="\#(sig.replacingOccurrences(of: "=", with: ""))""#, .invalidSignature),
        (#"keyid="k", alg="ES256", ts="1", nonce="0123456789abcdef", sig="\#(Data(count: 65).base64EncodedString())""#, .invalidSignature),
    ])
    func refusals(value: String, expected: AgentSignatureHeaderError.Code) {
        #expect(code(value) == expected, "\(value)")
    }

    @Test("a non-canonical base64 spelling of the signature is refused")
    func nonCanonicalBase64() {
        // 64 bytes end in "==" after a character that carries 2 data bits; setting the 4
        // padding bits gives a second spelling of the same bytes.
        var text = Array(Self.sig)
        let last = text.count - 3
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        text[last] = alphabet[alphabet.firstIndex(of: text[last])! + 1]
        let value = #"keyid="k", alg="ES256", ts="1", nonce="0123456789abcdef", sig="\#(String(text))""#
        #expect(Data(base64Encoded: String(text)) != nil)
        #expect(code(value) == .invalidSignature)
    }
}

import Foundation
import HeraldCore
@testable import HeraldJOSE
import Testing

@Suite("JCS (RFC 8785 subset)")
struct JCSTests {
    private func canonical(_ json: String) throws -> String {
        String(decoding: try JCS.canonicalize(json: Array(json.utf8)), as: UTF8.self)
    }

    @Test("members are sorted by UTF-16 code units, recursively, without white space")
    func ordering() throws {
        // RFC 8785 §3.2.3's example: by UTF-16 code units, U+1F600 (D83D DE00) sorts before U+FB33.
        let json = #"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#
        let keys = try JCSParser.parse(json).objectValue!.keys.sorted(by: JCS.precedes)
        #expect(keys == ["\r", "1", "\u{80}", "ö", "€", "😀", "\u{FB33}"])
        // Code-point order (Python's sorted) would put U+E000 first; UTF-16 order puts the emoji first.
        #expect(try canonical(#"{"\ue000":1,"\ud83d\ude00":2}"#) == "{\"😀\":2,\"\u{E000}\":1}")
        #expect(try canonical(" { \"b\" : [ 1 , { \"z\":null, \"a\":true } ] , \"a\" : \"x\" } ")
                == #"{"a":"x","b":[1,{"a":true,"z":null}]}"#)
    }

    @Test("strings use the RFC 8785 escapes: short forms, lowercase \\u00xx, everything else verbatim")
    func escaping() throws {
        let value = JCSValue.string("\u{0}\u{1F}\"\\\n\t\u{8}\u{C}\r/€\u{7F}😀")
        #expect(JCS.string(value) == "\"\\u0000\\u001f\\\"\\\\\\n\\t\\b\\f\\r/€\u{7F}😀\"")
        // Escapes in the input are undone, then re-escaped canonically.
        #expect(try canonical(#""\u00e9\/\u001F\ud83d\ude00""#) == "\"é/\\u001f😀\"")
    }

    @Test("integers up to 2^53 are kept; floats, larger integers and leading zeros are refused")
    func numbers() throws {
        #expect(try canonical("[9007199254740992,-9007199254740992,0,-0,42]") == "[9007199254740992,-9007199254740992,0,0,42]")
        for bad in ["9007199254740993", "-9007199254740993", "1.0", "1e3", "1E3", "0.5", "01", "-", "99999999999999999999999"] {
            #expect(throws: JOSEError.self, "\(bad)") { try JCSParser.parse(bad) }
        }
        do {
            _ = try JCSParser.parse(#"{"a":1.5}"#)
            Issue.record("a float parsed")
        } catch let error as JOSEError {
            #expect(error.code == .notCanonicalizable)
            #expect(error.reason.contains("non-integer"))
        }
    }

    @Test("duplicate names, lone surrogates, raw control characters and bad UTF-8 are refused")
    func refusals() {
        let bad: [[UInt8]] = [
            Array(#"{"a":1,"a":2}"#.utf8), Array(#""\ud83d""#.utf8), Array(#""\ude00""#.utf8),
            Array("\"a\u{1}b\"".utf8), [0x22, 0xC3, 0x28, 0x22], Array(#"{"a" 1}"#.utf8), Array("[1,]".utf8),
            Array("[1] x".utf8), Array("tru".utf8), Array(#""\x""#.utf8), Array(String(repeating: "[", count: 70).utf8),
        ]
        for bytes in bad {
            #expect(throws: JOSEError.self, "\(String(decoding: bytes, as: UTF8.self))") { try JCSParser.parse(bytes) }
        }
    }

    @Test("code-point order (mcps-secure) differs from UTF-16 order only around U+E000–U+FFFF vs astral names")
    func codePointOrder() throws {
        let ambiguous = try JCSParser.parse(#"{"a":{"\ue000":1,"\ud83d\ude00":2}}"#)
        #expect(JCS.isOrderAmbiguous(ambiguous))
        #expect(String(decoding: JCS.canonicalize(ambiguous, order: .codePoint), as: UTF8.self) == "{\"a\":{\"\u{E000}\":1,\"😀\":2}}")
        #expect(!JCS.isOrderAmbiguous(try JCSParser.parse(#"{"é":1,"€":2,"😀":3,"z":[{"b":1,"a":2}]}"#)))
    }

    @Test("literals and empty containers")
    func literals() throws {
        #expect(try canonical(#"{"t":true,"f":false,"n":null,"o":{},"a":[]}"#) == #"{"a":[],"f":false,"n":null,"o":{},"t":true}"#)
        #expect(JCS.string(["k": [1, "two", nil, true]]) == #"{"k":[1,"two",null,true]}"#)
    }
}

@Suite("JWK interchange")
struct JWKInterchangeTests {
    @Test("a JWK read from a parsed object has the same key and thumbprint as one read from JSON", arguments: SigningAlgorithm.allCases)
    func sameThumbprint(algorithm: SigningAlgorithm) throws {
        let key = SigningKey.generate(algorithm).publicKey
        let json = key.json(includeMetadata: true)
        let fromJSON = try PublicJWK(json: Data(json.utf8))
        let fromValue = try PublicJWK(jcs: try JCSParser.parse(json))
        #expect(fromValue.thumbprint == fromJSON.thumbprint && fromValue.thumbprint == key.thumbprint)
        #expect(fromValue.kid == key.kid && fromValue.algorithm == algorithm)
        #expect(fromValue.jcsValue == key.jcsValue)
        #expect(throws: JOSEError.self) { try PublicJWK(jcs: try JCSParser.parse(json.replacingOccurrences(of: "}", with: #","d":"AA"}"#))) }
        #expect(throws: JOSEError.self) { try PublicJWK(jcs: try JCSParser.parse(json.replacingOccurrences(of: "\"sig\"", with: "\"enc\""))) }
    }

    @Test("both JWK readers refuse a mistyped member and read null as absent (found by the jwk fuzz target)",
          arguments: [
              (#","kid":5"#, false), (#","alg":["ES256"]"#, false), (#","key_ops":"sign""#, false), (#","x5u":7"#, true),
              (#","d":null"#, true), (#","use":null"#, true), (#","kid":null"#, true), (#","key_ops":["verify"]"#, true),
          ])
    func sameRefusals(member: String, accepted: Bool) throws {
        let json = SigningKey.generate(.es256).publicKey.json(includeMetadata: false)
            .replacingOccurrences(of: "}", with: member + "}")
        let fromJSON = try? PublicJWK(json: Data(json.utf8))
        let fromValue = try? PublicJWK(jcs: try JCSParser.parse(json))
        #expect((fromJSON != nil) == accepted, "PublicJWK(json:) on \(json)")
        #expect((fromValue != nil) == accepted, "PublicJWK(jcs:) on \(json)")
        #expect(fromValue?.kid == fromJSON?.kid)
    }

    @Test("PEM round trip of a P-256 key")
    func pem() throws {
        let key = SigningKey.generate(.es256).publicKey
        let pem = try #require(key.pemRepresentation)
        #expect(pem.hasPrefix("-----BEGIN PUBLIC KEY-----\n") && pem.hasSuffix("-----END PUBLIC KEY-----\n"))
        #expect(try PublicJWK(pem: pem) == key)
        #expect(SigningKey.generate(.edDSA).publicKey.pemRepresentation == nil)
    }
}

@Suite("JCS member order")
struct JCSOrderTests {
    @Test("the UTF-8 comparison equals UTF-16 code unit order over tricky names")
    func matchesUTF16() {
        let names = ["", "a", "ab", "b", "\u{7F}", "\u{80}", "é", "\u{7FF}", "\u{800}", "€", "\u{D7FF}", "\u{E000}", "\u{FB33}",
                     "\u{FFFF}", "😀", "\u{10000}", "\u{10FFFF}", "a😀", "a\u{E000}", "a\u{FFFF}b", "a\u{10000}b"]
        for lhs in names {
            for rhs in names {
                #expect(JCS.precedes(lhs, rhs) == lhs.utf16.lexicographicallyPrecedes(rhs.utf16), "\(lhs.debugDescription) \(rhs.debugDescription)")
                #expect(JCS.precedesByCodePoint(lhs, rhs) == lhs.unicodeScalars.map(\.value).lexicographicallyPrecedes(rhs.unicodeScalars.map(\.value)))
            }
        }
    }
}

@Suite("JCS canonical text fast path")
struct JCSCanonicalTextTests {
    private func rest(_ json: String) throws -> String? {
        try JCSParser.parse(Array(json.utf8), canonicalExcluding: "signature").canonicalRest
            .map { String(decoding: $0, as: UTF8.self) }
    }

    @Test("canonical text yields its bytes without the excluded member, wherever it stands")
    func cut() throws {
        #expect(try rest(#"{"a":1,"b":{"c":[true,null]},"signature":"s"}"#) == #"{"a":1,"b":{"c":[true,null]}}"#)
        #expect(try rest(#"{"signature":"s","a":1,"b":2}"#) == #"{"a":1,"b":2}"#)
        #expect(try rest(#"{"a":1,"signature":"s","b":2}"#) == #"{"a":1,"b":2}"#)
        #expect(try rest(#"{"a":1,"b":2,"signature":{"x":[1,2]}}"#) == #"{"a":1,"b":2}"#)
        #expect(try rest(#"{"signature":"s"}"#) == "{}")
        #expect(try rest(#"{"a":"é😀"}"#) == #"{"a":"é😀"}"#)
        // A nested "signature" is content, not the excluded member.
        #expect(try rest(#"{"a":{"signature":1},"signature":"s"}"#) == #"{"a":{"signature":1}}"#)
    }

    @Test("text that is not canonical is left to re-serialization")
    func notCanonical() throws {
        for json in [#"{"b":1,"a":2}"#, #"{ "a":1}"#, #"{"a":1}"# + "\n", #"{"a":"\u0041"}"#, #"{"a":-0}"#,
                     #"{"a":{"z":1,"y":2},"signature":"s"}"#, #"{"a":"x\/y"}"#, "[1,2]"] {
            #expect(try rest(json) == nil, "\(json)")
        }
    }

    @Test("whenever the cut is taken, it equals the canonical form of the value without the member")
    func agreesWithCanonicalization() throws {
        let samples = [#"{"a":1,"signature":"s","z":[{"b":"\u0001"}]}"#, #"{"a":[],"b":{},"signature":null,"t":true}"#,
                       #"{"\ud83d\ude00":1,"\ue000":2,"signature":"s"}"#, #"{"€":1,"é":2}"#, #"{"aa":1,"a":2}"#,
                       #"{"a":2,"aa":1,"signature":"x"}"#]
        for json in samples {
            let document = try JCSParser.parse(Array(json.utf8), canonicalExcluding: "signature")
            guard case .object(var members) = document.value else { Issue.record("not an object"); continue }
            members["signature"] = nil
            if let cut = document.canonicalRest { #expect(cut == JCS.canonicalize(.object(members)), "\(json)") }
        }
    }
}

@testable import HeraldServer
import Hummingbird
import Testing

/// The strict form parser of the OAuth endpoints, through both of its paths: contiguous
/// bytes (a ByteBuffer's view, as the endpoints pass it) and a collection without contiguous
/// storage (the copying fallback).
@Suite("Form body parsing")
struct FormBodyTests {
    /// Parses `text` as the endpoints do (a ByteBuffer's readable view) and through a
    /// non-contiguous collection; both must agree.
    func parse(_ text: String) throws(OAuthError) -> [String: String] {
        let fromBuffer = try FormBody.parse(ByteBuffer(string: text).readableBytesView)
        let fromLazy = try FormBody.parse(LazyNonContiguous(bytes: Array(text.utf8)))
        #expect(fromBuffer == fromLazy)
        return fromBuffer
    }

    func refusal(_ text: String) -> String? {
        do { _ = try parse(text); return nil } catch { return error.description }
    }

    @Test func parsesParametersAndDecodesEscapes() throws {
        #expect(try parse("grant_type=client_credentials&scope=a+b%20c&x=%E2%9C%93") ==
            ["grant_type": "client_credentials", "scope": "a b c", "x": "✓"])
        #expect(try parse("a=&b&c=1=2") == ["a": "", "b": "", "c": "1=2"])
        #expect(try parse("") == [:])
        #expect(try parse("&&a=1&") == ["a": "1"])
        #expect(try parse("%61%62=%7e") == ["ab": "~"])
    }

    @Test func aLongTokenValueIsKeptExactly() throws {
        let token = String(repeating: "eyJhbGciOiJSUzI1NiJ9.", count: 60) + "sig-_"
        #expect(try parse("grant_type=x&subject_token=\(token)")["subject_token"] == token)
    }

    @Test func refusesRepeatsAndBadEscapes() {
        #expect(refusal("a=1&a=2")?.contains("parameter a appears more than once") == true)
        #expect(refusal("a=%4")?.contains("parameter a has invalid percent-encoding") == true)
        #expect(refusal("a=%")?.contains("parameter a has invalid percent-encoding") == true)
        #expect(refusal("a=%zz")?.contains("parameter a has invalid percent-encoding") == true)
        #expect(refusal("a=%FF")?.contains("parameter a has invalid percent-encoding") == true)  // not UTF-8
        #expect(refusal("%G0=1")?.contains("a parameter name with invalid percent-encoding") == true)
        #expect(refusal("a=%C3")?.contains("parameter a has invalid percent-encoding") == true)  // truncated UTF-8
    }

    @Test func rawInvalidUTF8IsRefused() {
        var bytes = Array("a=".utf8)
        bytes.append(0xC3)
        #expect(throws: OAuthError.self) { try FormBody.parse(bytes) }
        #expect(throws: OAuthError.self) { try FormBody.parse(LazyNonContiguous(bytes: bytes)) }
    }

    @Test func decodeOfASlice() {
        let bytes = Array("x=a%2Bb+c".utf8)
        #expect(FormBody.decode(bytes[2...]) == "a+b c")
        #expect(FormBody.decode(LazyNonContiguous(bytes: Array("%41".utf8))) == "A")
    }
}

/// A collection without contiguous storage, so the parser's copying path is exercised.
private struct LazyNonContiguous: Collection {
    let bytes: [UInt8]
    var startIndex: Int { bytes.startIndex }
    var endIndex: Int { bytes.endIndex }
    func index(after index: Int) -> Int { index + 1 }
    subscript(position: Int) -> UInt8 { bytes[position] }
}

/// The Content-Type check of the form endpoints, byte by byte (it runs on every token request).
@Suite("Form media type")
struct FormMediaTypeTests {
    @Test func acceptsTheMediaTypeInAnyCaseWithParameters() {
        for value in ["application/x-www-form-urlencoded", "Application/X-WWW-Form-URLEncoded",
                      "application/x-www-form-urlencoded; charset=UTF-8", " application/x-www-form-urlencoded ",
                      "\tapplication/x-www-form-urlencoded\t;charset=utf-8", "application/x-www-form-urlencoded;"] {
            #expect(FormBody.isFormMediaType(value), "\(value)")
        }
    }

    @Test func refusesAnythingElse() {
        for value: String? in [nil, "", ";", "application/json", "application/x-www-form-urlencode",
                               "application/x-www-form-urlencodedx", "application/x-www-form-urlencoded x",
                               "multipart/form-data", "application/x-www-form-urlencoded\r",
                               "application/x\u{0D}www-form-urlencoded", "apPlication/x-www-form-urlencoded,text/plain",
                               "application/x-www-form-urlencodé"] {
            #expect(!FormBody.isFormMediaType(value), "\(value ?? "nil")")
        }
    }
}

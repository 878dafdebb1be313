import Foundation
@testable import HeraldServer
@testable import HeraldServices
import Testing

/// The fast claims reader against JSONSerialization, the reader it stands in for: whatever
/// it reads must come out as JSONSerialization reads it, and what it does not read plainly
/// it must leave to JSONSerialization (nil).
@Suite("Upstream claims parser")
struct UpstreamClaimsParserTests {
    /// A comparable form of a JSONSerialization-shaped value, with the type names the claim
    /// checks use (so a boolean read as a number would show).
    indirect enum Shape: Equatable {
        case string(String), number(Double, boolean: Bool), null, array([Shape]), object([String: Shape])
        case other(String)

        init(_ value: Any) {
            switch value {
            case let text as String: self = .string(text)
            case let array as [Any]: self = .array(array.map(Shape.init))
            case let object as [String: Any]: self = .object(object.mapValues(Shape.init))
            case let number as NSNumber:
                self = .number(number.doubleValue, boolean: UpstreamClaims.typeName(number) == "a boolean")
            default: self = ObjectIdentifier(type(of: value)) == ObjectIdentifier(NSNull.self) ? .null : .other("\(value)")
            }
        }
    }

    static let keycloak = #"""
        {"exp":1800000300,"iat":1800000000,"jti":"0b8e-4c","iss":"https://kc.example/realms/acme",
         "aud":["herald","account"],"sub":"f:3a\/b","typ":"Bearer","azp":"web","session_state":null,
         "acr":"1","allowed-origins":[],"realm_access":{"roles":["agent-operators","offline_access"]},
         "resource_access":{"account":{"roles":["manage-account"]}},"scope":"openid profile",
         "email_verified":false,"active":true,"name":"Zoë \"Z\" Ünal\n","auth_time":1.8e9,"ratio":-0.25,
         "nested":[[1,[2,{"a":[]}]],{}], "zero":0, "neg":-12}
        """#

    func fast(_ text: String) -> [String: Any]? { UpstreamClaimsParser.object(Array(text.utf8)) }

    func jsonSerialization(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    @Test func aKeycloakPayloadIsReadAsJSONSerializationReadsIt() throws {
        let read = try #require(fast(Self.keycloak))
        let reference = try #require(jsonSerialization(Self.keycloak))
        #expect(Shape(read) == Shape(reference))
        #expect(UpstreamClaims.value(at: "realm_access.roles", in: read) as? [String] == ["agent-operators", "offline_access"])
        #expect(UpstreamClaims.typeName(read["active"] as Any) == "a boolean")
        #expect(UpstreamClaims.typeName(read["exp"] as Any) == "a number")
        #expect(UpstreamClaims.value(at: "session_state", in: read) == nil)
        guard case .success(let exp) = UpstreamClaims.date("exp", in: read) else { Issue.record("exp"); return }
        #expect(exp == Date(timeIntervalSince1970: 1_800_000_300))
    }

    @Test func whatItDoesNotReadPlainlyIsLeftToJSONSerialization() {
        let leftOver = [
            #"{"a":"\u00e9"}"#,  // \u escapes
            #"{"a":123456789012345678901234567890}"#,  // beyond Int64
            #"{"a":1,"a":2}"#,  // a duplicate member
            #"{"a":1} x"#, #"{"a":1,}"#, #"{"a" 1}"#, #"[1]"#, #""a""#, "", "{",
            #"{"a":01}"#, #"{"a":1.}"#, #"{"a":-}"#, #"{"a":1e}"#, #"{"a":tru}"#, #"{"a":"x"#,
            "{\"a\":\"\u{01}\"}",  // a raw control character
            String(repeating: #"{"a":"#, count: 40) + "1" + String(repeating: "}", count: 40),  // deep
        ]
        for text in leftOver { #expect(fast(text) == nil, "\(text)") }
        var invalidUTF8 = Array(#"{"a":""#.utf8)
        invalidUTF8 += [0xC3, 0x28, UInt8(ascii: "\""), UInt8(ascii: "}")]
        #expect(UpstreamClaimsParser.object(invalidUTF8) == nil)
    }

    @Test func everythingItReadsMatchesJSONSerialization() throws {
        let samples = [
            "{}", " { } ", #"{"a":[]}"#, #"{"a":{}}"#, #"{"n":-0}"#, #"{"n":1E+2,"m":2.5e-3,"k":9007199254740993}"#,
            #"{"s":"\\\/\b\f\n\r\t\""}"#, #"{"t":true,"f":false,"z":null}"#, "{\"ü\":\"✓ 𝄞\"}",
            "{\n\t\"a\" :\r [ 1 , \"b\" ]\n}", Self.keycloak,
        ]
        for text in samples {
            let read = try #require(fast(text), "\(text)")
            let reference = try #require(jsonSerialization(text), "\(text)")
            #expect(Shape(read) == Shape(reference), "\(text)")
        }
    }

    @Test func theClaimsObjectFallsBackToJSONSerialization() {
        // Read by JSONSerialization (the fast reader leaves \u escapes to it), same result.
        let claims = UpstreamClaims.object(Array(#"{"sub":"caf\u00e9","exp":5}"#.utf8))
        #expect(claims?["sub"] as? String == "café")
        #expect(UpstreamClaims.object(Array("[1]".utf8)) == nil)
        #expect(UpstreamClaims.object(Array("not json".utf8)) == nil)
    }
}

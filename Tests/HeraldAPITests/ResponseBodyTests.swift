import Foundation
import HeraldAPI
import Testing

/// The answers of the public endpoints as their types write them: the members the contract
/// (wire-formats.md, docs/openapi.yaml) lists, present even when null where it says so.
@Suite("Response bodies")
struct ResponseBodyTests {
    func object(_ value: some Encodable) throws -> [String: Any] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try #require(JSONSerialization.jsonObject(with: encoder.encode(value)) as? [String: Any])
    }

    @Test("the gate's decision has all ten members; those without a value are null")
    func gateDecision() throws {
        let deny = MCPGateDecision(decision: .deny, agentID: nil, trustLevel: nil, trustScore: nil, checksPassed: [],
                                   checksFailed: ["identity"], reason: "agent_id must be a string")
        let members = try object(deny)
        #expect(Set(members.keys) == ["decision", "agent_id", "trust_level", "trust_score", "checks_passed",
                                      "checks_failed", "reason", "federated_from", "idp", "on_behalf_of"])
        #expect(members["decision"] as? String == "DENY")
        #expect(members["agent_id"] is NSNull && members["idp"] is NSNull && members["trust_level"] is NSNull)
        let allow = MCPGateDecision(decision: .allow, agentID: "a", trustLevel: 2, trustScore: 57,
                                    checksPassed: ["identity"], checksFailed: [], reason: "ok", federatedFrom: "https://p")
        #expect(try JSONDecoder().decode(MCPGateDecision.self, from: JSONEncoder().encode(allow)) == allow)
    }

    @Test("introspection: inactive is {active:false} alone; active merges claims, its own members win")
    func introspection() throws {
        #expect(String(decoding: try JSONEncoder().encode(IntrospectionResponse.inactive), as: UTF8.self)
            == #"{"active":false}"#)
        var answer = IntrospectionResponse.active(claims: ["sub": .string("a"), "active": .bool(false),
                                                           "mcps": .object(["trust_level": .int(2)])])
        answer.foreign = true
        answer.federatedFrom = "https://peer"
        answer.localTrustLevel = 1
        let members = try object(answer)
        #expect(members["active"] as? Bool == true)
        #expect(members["token_type"] as? String == "Bearer")
        #expect(members["sub"] as? String == "a")
        #expect((members["mcps"] as? [String: Any])?["trust_level"] as? Int == 2)
        #expect(members["foreign"] as? Bool == true && members["local_trust_level"] as? Int == 1)
        let back = try JSONDecoder().decode(IntrospectionResponse.self, from: JSONEncoder().encode(answer))
        #expect(back.federatedFrom == "https://peer" && back.localTrustLevel == 1 && back.claims["sub"] == .string("a"))
    }

    @Test("the token response's direct writer gives the Codable form's members")
    func tokenResponse() throws {
        for response in [TokenResponse(accessToken: "a.b.c", expiresIn: 300, scope: "x y"),
                         TokenResponse(accessToken: "t\"\\", issuedTokenType: "urn:ietf:params:oauth:token-type:access_token",
                                       expiresIn: 60, scope: nil)] {
            #expect(try JSONDecoder().decode(TokenResponse.self, from: Data(response.json)) == response)
        }
        #expect(String(decoding: TokenResponse(accessToken: "a", expiresIn: 1, scope: "s").json, as: UTF8.self)
            == #"{"access_token":"a","token_type":"Bearer","expires_in":1,"scope":"s"}"#)
    }

    @Test("opaque JSON keeps integers, numbers, null and nesting")
    func opaqueJSON() throws {
        let text = #"{"a":[1,-2.5,true,null,"s"],"b":{"c":9007199254740993}}"#
        let value = try JSONDecoder().decode(OpaqueJSON.self, from: Data(text.utf8))
        #expect(value == .object(["a": .array([.int(1), .double(-2.5), .bool(true), .null, .string("s")]),
                                  "b": .object(["c": .int(9_007_199_254_740_993)])]))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(String(decoding: try encoder.encode(value), as: UTF8.self) == text)
    }
}

import Foundation
@testable import HeraldAPI
import Testing

/// The strict reading of admin request bodies and the shapes the admin types write.
@Suite("Admin body decoding")
struct AdminBodyDecoderTests {
    private func refusal<Body: AdminRequestBody>(_ type: Body.Type, _ json: String) -> String? {
        do {
            _ = try AdminBodyDecoder.decode(type, from: Data(json.utf8))
            return nil
        } catch {
            return error.message
        }
    }

    @Test("a member of the body itself: missing, null, another type or empty names the member and what to send")
    func ownMembers() {
        #expect(refusal(AdminStopRequest.self, "{}") == "reason must be a non-empty string")
        #expect(refusal(AdminStopRequest.self, #"{"reason": null}"#) == "reason must be a non-empty string")
        #expect(refusal(AdminStopRequest.self, #"{"reason": 5}"#) == "reason must be a non-empty string")
        #expect(refusal(AdminStopRequest.self, #"{"reason": ""}"#) == "reason must be a non-empty string")
        #expect(refusal(AdminStopRequest.self, #"{"reason": "x", "approver": ""}"#) == "approver must be a non-empty string")
        #expect(refusal(AdminStopRequest.self, #"{"reason": "x", "extra": 1}"#) == nil, "the API ignores other members")
        #expect(refusal(AdminStopRequest.self, "[]") == "the body must be a JSON object")
        #expect(refusal(AdminStopRequest.self, "not json") == "the body must be a JSON object")
    }

    @Test("an empty body is {} only where the body is optional")
    func optionalBody() throws {
        #expect(try AdminBodyDecoder.decode(AdminKeyPrepareRequest.self, from: Data(), optional: true).alg == nil)
        #expect(throws: AdminBodyError("the body must be a JSON object (or empty)")) {
            try AdminBodyDecoder.decode(AdminKeyPrepareRequest.self, from: Data("5".utf8), optional: true)
        }
    }

    @Test("a realm-file entry: nested values in the loader's words, unknown members refused with a hint")
    func realmFileEntries() {
        #expect(refusal(AdminAgent.self, #"{"id": "a", "groups": [true]}"#) == "groups[0]: expected a string")
        #expect(refusal(AdminAgent.self, #"{"id": "a", "groups": "ops"}"#) == "groups must be a list of strings")
        #expect(refusal(AdminAgent.self, #"{"id": "a", "name": ""}"#) == nil, "an empty name is the loader's to judge")
        #expect(refusal(AdminAgent.self, #"{"id": "a", "rolez": []}"#) == "rolez: unknown key (did you mean roles?)")
        #expect(refusal(AdminAgent.self, #"{"id": "a", "trust_level": "L2", "effective_roles": []}"#) == nil,
                "the computed members are ignored")
        #expect(refusal(AdminLevelPatch.self, #"{"L1": {"label": null}}"#) == "levels.L1.label: expected a string")
        #expect(refusal(AdminLevelPatch.self, #"{"L1": {"tx_limit": 1.5}}"#) == "levels.L1.tx_limit: expected a whole number")
        #expect(refusal(AdminLevelPatch.self, #"{"L2": 5}"#) == "levels.L2 must be an object of cells")
        #expect(refusal(AdminLevelPatch.self, #"{"L1": {"labels": "x"}}"#) == "levels.L1.labels: unknown key (did you mean label?)")
        #expect(refusal(AdminLevelPatch.self, #"{"L1": {"payment_enabled": "maybe"}}"#)
                == "levels.L1.payment_enabled: expected true or false")
    }

    @Test("the realm file's boolean words stay accepted for payment_enabled")
    func booleanWords() throws {
        let patch = try AdminBodyDecoder.decode(AdminLevelPatch.self, from: Data(#"{"L1": {"payment_enabled": "off"}}"#.utf8))
        #expect(patch.levels["L1"]?.paymentEnabled == false)
    }

    @Test("answers write every nullable member, as null when it has no value")
    func nulls() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let org = AdminOrgKill(org: "ops", killed: false, reason: nil, killedAt: nil, agents: [])
        #expect(String(decoding: try encoder.encode(org), as: UTF8.self)
                == #"{"agents":[],"killed":false,"killed_at":null,"org":"ops","reason":null}"#)
        #expect(try JSONDecoder().decode(AdminOrgKill.self, from: Data(#"{"org":"ops","killed":false,"agents":[]}"#.utf8))
                == org, "a member left out reads as nil")
    }

    @Test("the edit form writes back what it read, with the typed sections changed")
    func realmForm() throws {
        let exported = #"""
            {"clients":[{"auth":"private_key_jwt","client_id":"c","jwks":{"keys":[]},"subject":"a"}],
             "directory":{"static":{"agents":[{"groups":[],"id":"a","roles":["mcps-l2"]}]}},
             "federation":{"bundle_lifetime":"1h","peers":[],"refresh_hint":"5m"},
             "realm":"r","role_mappings":[{"group":"g","id":"rm-1","role":"mcps-l3"}],
             "token":{"algorithms":["ES256"],"lifetime":"5m"}}
            """#
        var form = try AdminRealmForm(json: Data(exported.utf8))
        let same = try JSONSerialization.jsonObject(with: form.json()) as? NSDictionary
        #expect(same == (try JSONSerialization.jsonObject(with: Data(exported.utf8)) as? NSDictionary))
        form.roleMappings.removeAll()
        form.agents?.append(AdminAgent(id: "b"))
        form.peers?.append(AdminPeerEntry(entity: "https://p.test/realms/x", pin: "p", maxLevel: "L1"))
        let changed = try #require(try JSONSerialization.jsonObject(with: form.json()) as? [String: Any])
        #expect(changed["role_mappings"] == nil, "an empty section is left out, as the export leaves it out")
        let agents = ((changed["directory"] as? [String: Any])?["static"] as? [String: Any])?["agents"] as? [[String: Any]]
        #expect(agents?.map { $0["id"] as? String } == ["a", "b"])
        let federation = changed["federation"] as? [String: Any]
        #expect(federation?["bundle_lifetime"] as? String == "1h")
        #expect((federation?["peers"] as? [[String: Any]])?.first?["max_level"] as? String == "L1")
    }
}

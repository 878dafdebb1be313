import Foundation
import HeraldCore
import HeraldJOSE
import HeraldServer
import HeraldTesting
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Pipeline and trust policy")
struct PipelineTests {
    @Test("one stage at a time: a skip is 409 naming the allowed stage; each gate is signed by the realm key")
    func stagesAndGates() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            let token = try await admin.token(client)
            let base = "/admin/realms/test/agents/agent-two"
            let toVetting = try await client.call(.post, "\(base)/advance", token: token,
                                                  body: #"{"to":"VETTING","approver":"alice"}"#)
            #expect(toVetting.status == 200)
            #expect(toVetting.object["pipeline_stage"] as? String == "VETTING")
            // No code hash yet: TESTING needs one.
            let noCode = try await client.call(.post, "\(base)/advance", token: token,
                                               body: #"{"to":"TESTING","approver":"alice"}"#)
            #expect(noCode.status == 409)
            #expect(noCode.object["error"] as? String == "code_hash_missing")
            _ = try await client.call(.post, "\(base)/code", token: token, body: #"{"code_hash":"\#(Lifecycle.hash1)"}"#)
            let skip = try await client.call(.post, "\(base)/advance", token: token,
                                             body: #"{"to":"DEV_APPROVED","approver":"alice"}"#)
            #expect(skip.status == 409)
            #expect((skip.object["error_description"] as? String)?.contains("TESTING") == true)
            let unknown = try await client.call(.post, "\(base)/advance", token: token, body: #"{"to":"DONE","approver":"a"}"#)
            #expect(unknown.status == 400)

            // Every gate is a JWS by the realm's key over the gate's facts.
            let shown = try await client.call(.get, "\(base)/lifecycle", token: token)
            let gates = try #require(shown.object["gates"] as? [[String: Any]])
            #expect(gates.count == 1)
            let jwks = try await client.call(.get, "/realms/test/.well-known/agent-trust-keys", token: nil)
            let keys = try PublicJWK.parseSet(json: Data(jwks.text.utf8))
            let verified = try UnverifiedJWS(compact: try #require(gates[0]["signature"] as? String)).verify(with: keys)
            #expect(verified.header.typ == "pipeline-gate+jwt")
            let facts = try #require(try JSONSerialization.jsonObject(with: Data(verified.payload)) as? [String: Any])
            #expect(facts["from"] as? String == "INTAKE" && facts["to"] as? String == "VETTING")
            #expect(facts["approver"] as? String == "alice" && facts["sub"] as? String == "agent-two")

            // The gate is in the audit chain too.
            let audit = try await client.call(.get, "/admin/realms/test/audit?type=agent.stage_changed", token: token)
            #expect((audit.object["entries"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test("registering a new code hash sends an agent past VETTING back to VETTING")
    func newCodeDemotes() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            let token = try await admin.token(client)
            let base = "/admin/realms/test/agents/agent-two"
            _ = try await client.call(.post, "\(base)/code", token: token, body: #"{"code_hash":"\#(Lifecycle.hash1)"}"#)
            for stage in ["VETTING", "TESTING", "DEV_APPROVED"] {
                let moved = try await client.call(.post, "\(base)/advance", token: token,
                                                  body: #"{"to":"\#(stage)","approver":"bob"}"#)
                #expect(moved.status == 200)
            }
            #expect(try await client.call(.get, "\(base)/lifecycle", token: token).object["code_attested"] as? Bool == true)
            let same = try await client.call(.post, "\(base)/code", token: token, body: #"{"code_hash":"\#(Lifecycle.hash1)"}"#)
            #expect(same.object["pipeline_stage"] as? String == "DEV_APPROVED")
            let changed = try await client.call(.post, "\(base)/code", token: token, body: #"{"code_hash":"\#(Lifecycle.hash2)"}"#)
            #expect(changed.object["pipeline_stage"] as? String == "VETTING")
            #expect(changed.object["code_attested"] as? Bool == false)
            let bad = try await client.call(.post, "\(base)/code", token: token, body: #"{"code_hash":"md5:abc"}"#)
            #expect(bad.status == 400)
        }
    }

    @Test("pipeline required: only ACTIVE agents exceed L0; tokens carry score, stage and status entry")
    func pipelineRequired() async throws {
        let server = try await TestServer.start(realms: Lifecycle.realm("trust_policy: {pipeline: required}"))
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            let first = try await Lifecycle.token(client)
            #expect(Lifecycle.mcps(first)["trust_level"] as? Int == 0)
            #expect(Lifecycle.mcps(first)["pipeline_stage"] as? String == "INTAKE")
            let status = JWTParts.claims(first ?? "")["status"] as? [String: Any]
            let entry = status?["status_list"] as? [String: Any]
            #expect(entry?["uri"] as? String == "https://herald.test/realms/test/statuslists/1")
            #expect(entry?["idx"] as? Int != nil)

            let token = try await admin.token(client)
            let base = "/admin/realms/test/agents/agent-two"
            _ = try await client.call(.post, "\(base)/code", token: token, body: #"{"code_hash":"\#(Lifecycle.hash1)"}"#)
            for stage in ["VETTING", "TESTING", "DEV_APPROVED", "PROD_APPROVED"] {
                _ = try await client.call(.post, "\(base)/advance", token: token, body: #"{"to":"\#(stage)","approver":"c"}"#)
                #expect(try await Lifecycle.level(client) == 0)
            }
            _ = try await client.call(.post, "\(base)/advance", token: token, body: #"{"to":"ACTIVE","approver":"c"}"#)
            let active = Lifecycle.mcps(try await Lifecycle.token(client))
            #expect(active["trust_level"] as? Int == 2)
            #expect(active["pipeline_stage"] as? String == "ACTIVE")
            #expect((active["trust_score"] as? Int ?? 0) > 0)
        }
    }

    @Test("earned levels: the score band caps the directory level")
    func earnedLevels() async throws {
        let server = try await TestServer.start(realms: Lifecycle.realm("trust_policy: {earned_levels: on}"))
        defer { server.directory.remove() }
        let admin = try AdminTestClient(server: server)
        try await server.herald.application.test(.router) { client in
            // agent-four holds L4 through its group, but a new agent scores in the L0 band.
            let fresh = Lifecycle.mcps(try await Lifecycle.token(client, clientID: "four-bot"))
            let score = try #require(fresh["trust_score"] as? Int)
            #expect(score < 20)
            #expect(fresh["trust_level"] as? Int == 0)

            let token = try await admin.token(client)
            let base = "/admin/realms/test/agents/agent-four"
            _ = try await client.call(.post, "\(base)/code", token: token, body: #"{"code_hash":"\#(Lifecycle.hash1)"}"#)
            for stage in ["VETTING", "TESTING", "DEV_APPROVED", "PROD_APPROVED", "ACTIVE"] {
                _ = try await client.call(.post, "\(base)/advance", token: token, body: #"{"to":"\#(stage)","approver":"c"}"#)
            }
            let shown = try await client.call(.get, "\(base)/lifecycle", token: token).object
            let activeScore = try #require(shown["trust_score"] as? Int)
            let components = try #require(shown["score_components"] as? [[String: Any]])
            #expect(components.compactMap { $0["points"] as? Int }.reduce(0, +) == activeScore)
            #expect(components.compactMap { $0["weight"] as? Int }.reduce(0, +) == 100)
            let band = LevelTable.defaults.earnedLevel(forScore: activeScore)
            let capped = Lifecycle.mcps(try await Lifecycle.token(client, clientID: "four-bot"))
            #expect(capped["trust_level"] as? Int == min(4, band.rawValue))
            #expect(band < .l4)

            // Failures reported by other clients lower the score, and so the level.
            for index in 0..<5 {
                let reported = try await Lifecycle.json(client, "/realms/test/agents/agent-four/events",
                                                        #"{"outcome":"anomaly","reference":"run-\#(index)"}"#, as: "two-bot")
                #expect(reported.status == 202)
            }
            let after = Lifecycle.mcps(try await Lifecycle.token(client, clientID: "four-bot"))
            #expect((after["trust_score"] as? Int ?? 100) < activeScore)
            // An agent cannot report on itself.
            let own = try await Lifecycle.json(client, "/realms/test/agents/agent-four/events",
                                               #"{"outcome":"success","reference":"me"}"#, as: "four-bot")
            #expect(own.status == 403)
        }
    }

    @Test("both policies off: the directory role alone decides the level")
    func policiesOff() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            let levels = [try await Lifecycle.level(client, clientID: "four-bot"), try await Lifecycle.level(client),
                          try await Lifecycle.level(client, clientID: "zero-bot")]
            #expect(levels == [4, 2, 0])
        }
    }
}

@testable import HeraldCore
import Foundation
import HeraldCore
import Testing

@Suite("Trust score and decision")
struct TrustScoreTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func agent(_ stage: PipelineStage = .intake, code: String? = nil) -> AgentLifecycle {
        var agent = AgentLifecycle(agentID: "a", stage: stage, codeHash: code, registeredAt: start, statusIndex: 0)
        agent.stage = stage
        return agent
    }

    @Test("the weights add up to 100 and the points always add up to the score")
    func addsUp() {
        #expect(TrustScore.weights.map(\.weight).reduce(0, +) == 100)
        for stage in PipelineStage.allCases {
            for days in [0, 10, 45, 90, 400] {
                var agent = Self.agent(stage, code: days.isMultiple(of: 2) ? "sha256:x" : nil)
                agent.outcomes = OutcomeTally(success: days, failure: days / 10, anomaly: days / 100)
                let score = TrustScore(agent: agent, now: Self.start + Double(days) * 86400)
                #expect(score.components.map(\.points).reduce(0, +) == score.value)
                #expect((0...100).contains(score.value))
            }
        }
    }

    @Test("a new agent scores in the L0 band; a long-serving ACTIVE agent with attested code and a clean record in L4")
    func bands() {
        let fresh = TrustScore(agent: Self.agent(), now: Self.start)
        #expect(LevelTable.defaults.earnedLevel(forScore: fresh.value) == .l0)
        var veteran = Self.agent(.active, code: "sha256:c")
        veteran.gates = [GateRecord(from: .prodApproved, to: .active, approver: "a", at: Self.start, codeHash: "sha256:c",
                                    signature: "s")]
        veteran.outcomes = OutcomeTally(success: 500)
        let score = TrustScore(agent: veteran, now: Self.start + 100 * 86400)
        #expect(score.value >= 80)
        // Anomalies pull it down.
        veteran.outcomes.anomaly = 200
        #expect(TrustScore(agent: veteran, now: Self.start + 100 * 86400).value < score.value)
    }

    @Test("code is attested only when the latest approval gate carried the registered hash")
    func attestation() {
        var agent = Self.agent(.devApproved, code: "sha256:new")
        agent.gates = [GateRecord(from: .testing, to: .devApproved, approver: "a", at: Self.start, codeHash: "sha256:old",
                                  signature: "s")]
        #expect(!agent.codeAttested)
        agent.gates[0].codeHash = "sha256:new"
        #expect(agent.codeAttested)
    }

    @Test("policy caps: pipeline required holds non-ACTIVE at L0, earned levels cap by band, off leaves the role")
    func caps() {
        let levels = LevelTable.defaults
        func level(_ policy: TrustPolicy, _ stage: PipelineStage) -> TrustLevel {
            TrustDecision(directoryLevel: .l4, lifecycle: Self.agent(stage), orgKill: nil, policy: policy, levels: levels,
                          now: Self.start).level
        }
        #expect(level(TrustPolicy(), .intake) == .l4)
        #expect(level(TrustPolicy(pipelineRequired: true), .prodApproved) == .l0)
        #expect(level(TrustPolicy(pipelineRequired: true), .active) == .l4)
        let earned = level(TrustPolicy(earnedLevels: true), .active)
        #expect(earned < .l4)
        #expect(earned == levels.earnedLevel(forScore: TrustScore(agent: Self.agent(.active), now: Self.start).value))
    }

    @Test("kills, SUSPENDED and REVOKED refuse; the status value says which")
    func refusals() {
        var agent = Self.agent(.active)
        func decide(_ orgKill: (org: String, kill: KillRecord)? = nil) -> TrustDecision {
            TrustDecision(directoryLevel: .l3, lifecycle: agent, orgKill: orgKill, policy: TrustPolicy(),
                          levels: .defaults, now: Self.start)
        }
        #expect(decide().refusal == nil && decide().statusValue == 0)
        let kill = KillRecord(reason: "r", by: "b", at: Self.start)
        #expect(decide(("finance", kill)).statusValue == 2 && decide(("finance", kill)).level == .l0)
        agent.kill = kill
        #expect(decide().refusal == .agentKilled(kill) && decide().statusValue == 2)
        agent.kill = nil
        agent.stage = .revoked
        #expect(decide().statusValue == 1)
        agent.stage = .suspended
        #expect(decide().statusValue == 2)
    }

    @Test("the line moves one stage at a time; SUSPENDED returns only to where it left; REVOKED is final")
    func stages() {
        #expect(PipelineStage.intake.next == .vetting && PipelineStage.active.next == nil)
        var agent = Self.agent(.testing)
        #expect(agent.allowedNext == [.devApproved])
        agent.suspendedFrom = .testing
        agent.stage = .suspended
        #expect(agent.allowedNext == [.testing])
        agent.stage = .revoked
        #expect(agent.allowedNext.isEmpty)
    }
}

@Suite("MCP gate tool levels")
struct ToolLevelTests {
    @Test("exact entries win, then the most specific pattern, then the default; nothing else is allowed")
    func patterns() {
        var config = RealmConfig(name: "r", tools: ["payments-mcp/charge": .l3, "payments-mcp/*": .l2,
                                                    "payments-mcp/read_*": .l1, "*/health": .l0])
        #expect(config.minimumLevel(forTool: "payments-mcp/charge") == .l3)
        #expect(config.minimumLevel(forTool: "payments-mcp/refund") == .l2)
        #expect(config.minimumLevel(forTool: "payments-mcp/read_ledger") == .l1)
        #expect(config.minimumLevel(forTool: "db/health") == .l0)
        #expect(config.minimumLevel(forTool: "db/query") == nil)
        config.defaultToolLevel = .l4
        #expect(config.minimumLevel(forTool: "db/query") == .l4)
        #expect(RealmConfig.glob("a*b*c", matches: "aXbYc") && !RealmConfig.glob("a*b*c", matches: "aXc"))
        #expect(RealmConfig.glob("x/*", matches: "x/") && !RealmConfig.glob("x/*", matches: "y/z"))
    }
}

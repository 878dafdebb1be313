import Foundation

/// The level an agent is given right now, and why (wire-formats §2): the directory's level,
/// capped by the realm's `trust_policy`, or a refusal while the agent is stopped.
public struct TrustDecision: Sendable, Hashable {
    public enum Refusal: Sendable, Hashable {
        case agentKilled(KillRecord)
        case orgKilled(org: String, KillRecord)
        case stage(PipelineStage)

        /// What a client may be told: that the agent is stopped, not the operator's reason.
        public var publicDescription: String {
            switch self {
            case .agentKilled: "the agent is stopped by the kill switch"
            case .orgKilled(let org, _): "organisation \(org) is stopped by the kill switch"
            case .stage(let stage): "the agent is \(stage.rawValue)"
            }
        }

        /// One line for logs and audit entries (holds the operator's reason).
        public var description: String {
            switch self {
            case .agentKilled(let kill): "the agent is stopped by the kill switch: \(kill.reason)"
            case .orgKilled(let org, let kill): "organisation \(org) is stopped by the kill switch: \(kill.reason)"
            case .stage(let stage): "the agent is \(stage.rawValue)"
            }
        }
    }

    public let directoryLevel: TrustLevel
    public let level: TrustLevel
    /// The trust score now (``TrustScore`` explains it).
    public let score: Int
    public let stage: PipelineStage
    /// Set when nothing may be issued for the agent.
    public let refusal: Refusal?

    public init(directoryLevel: TrustLevel, lifecycle: AgentLifecycle, orgKill: (org: String, kill: KillRecord)?, policy: TrustPolicy,
                levels: LevelTable, now: Date, federationScore: Int? = nil) {
        self.directoryLevel = directoryLevel
        stage = lifecycle.stage
        score = TrustScore.value(agent: lifecycle, now: now, federation: federationScore)
        var level = directoryLevel
        if policy.pipelineRequired, lifecycle.stage != .active { level = .l0 }
        if policy.earnedLevels { level = min(level, levels.earnedLevel(forScore: score)) }
        if let kill = lifecycle.kill {
            refusal = .agentKilled(kill)
        } else if let orgKill {
            refusal = .orgKilled(org: orgKill.org, orgKill.kill)
        } else if !lifecycle.stage.isServing {
            refusal = .stage(lifecycle.stage)
        } else {
            refusal = nil
        }
        self.level = refusal == nil ? level : .l0
    }

    /// The token status list value (§8): 0 valid, 1 invalid (revoked), 2 suspended (killed).
    public var statusValue: UInt8 {
        switch refusal {
        case nil: 0
        case .stage(.revoked): 1
        default: 2
        }
    }
}

/// The lifecycle object (`GET /admin/realms/{r}/agents/{id}/lifecycle` and every lifecycle
/// route's answer): stage, gates, score with its components, and the effective level now.
package struct AdminLifecycle: Codable, Sendable, Equatable {
    package var agentID: String
    @AdminNullable package var org: String?
    package var pipelineStage: String
    package var allowedNext: [String]
    @AdminNullable package var codeHash: String?
    package var codeAttested: Bool
    package var registeredAt: String
    package var statusIndex: Int
    package var outcomes: Outcomes
    package var killed: Bool
    @AdminNullable package var kill: Kill?
    @AdminNullable package var orgKilled: OrgKill?
    package var trustScore: Int
    package var scoreComponents: [ScoreComponent]
    package var directoryLevel: String
    package var trustLevel: String
    package var trustPolicy: TrustPolicy
    @AdminNullable package var refusal: String?
    package var gates: [Gate]

    package init(agentID: String, org: String?, pipelineStage: String, allowedNext: [String], codeHash: String?,
                 codeAttested: Bool, registeredAt: String, statusIndex: Int, outcomes: Outcomes, kill: Kill?,
                 orgKilled: OrgKill?, trustScore: Int, scoreComponents: [ScoreComponent], directoryLevel: String,
                 trustLevel: String, trustPolicy: TrustPolicy, refusal: String?, gates: [Gate]) {
        self.agentID = agentID
        self.org = org
        self.pipelineStage = pipelineStage
        self.allowedNext = allowedNext
        self.codeHash = codeHash
        self.codeAttested = codeAttested
        self.registeredAt = registeredAt
        self.statusIndex = statusIndex
        self.outcomes = outcomes
        self.killed = kill != nil
        self.kill = kill
        self.orgKilled = orgKilled
        self.trustScore = trustScore
        self.scoreComponents = scoreComponents
        self.directoryLevel = directoryLevel
        self.trustLevel = trustLevel
        self.trustPolicy = trustPolicy
        self.refusal = refusal
        self.gates = gates
    }

    enum CodingKeys: String, CodingKey {
        case org, outcomes, killed, kill, refusal, gates
        case agentID = "agent_id"
        case pipelineStage = "pipeline_stage"
        case allowedNext = "allowed_next"
        case codeHash = "code_hash"
        case codeAttested = "code_attested"
        case registeredAt = "registered_at"
        case statusIndex = "status_index"
        case orgKilled = "org_killed"
        case trustScore = "trust_score"
        case scoreComponents = "score_components"
        case directoryLevel = "directory_level"
        case trustLevel = "trust_level"
        case trustPolicy = "trust_policy"
    }

    /// Outcome reports received.
    package struct Outcomes: Codable, Sendable, Equatable {
        package var success: Int
        package var failure: Int
        package var anomaly: Int

        package init(success: Int, failure: Int, anomaly: Int) {
            self.success = success
            self.failure = failure
            self.anomaly = anomaly
        }
    }

    /// The agent's own kill switch.
    package struct Kill: Codable, Sendable, Equatable {
        package var reason: String
        package var by: String
        package var at: String

        package init(reason: String, by: String, at: String) {
            self.reason = reason
            self.by = by
            self.at = at
        }
    }

    /// The kill switch of the agent's organisation.
    package struct OrgKill: Codable, Sendable, Equatable {
        package var org: String
        package var reason: String

        package init(org: String, reason: String) {
            self.org = org
            self.reason = reason
        }
    }

    /// One of the score's components; the `points` add up to the score.
    package struct ScoreComponent: Codable, Sendable, Equatable {
        package var name: String
        package var weight: Int
        package var value: Int
        package var points: Int
        package var basis: String

        package init(name: String, weight: Int, value: Int, points: Int, basis: String) {
            self.name = name
            self.weight = weight
            self.value = value
            self.points = points
            self.basis = basis
        }
    }

    /// The realm's `trust_policy`: `pipeline` `required`/`off`, `earned_levels` `on`/`off`.
    package struct TrustPolicy: Codable, Sendable, Equatable {
        package var pipeline: String
        package var earnedLevels: String

        package init(pipeline: String, earnedLevels: String) {
            self.pipeline = pipeline
            self.earnedLevels = earnedLevels
        }

        enum CodingKeys: String, CodingKey {
            case pipeline
            case earnedLevels = "earned_levels"
        }
    }

    /// A pipeline gate and its JWS (`typ: pipeline-gate+jwt`).
    package struct Gate: Codable, Sendable, Equatable {
        package var from: String
        package var to: String
        package var approver: String
        package var at: String
        @AdminNullable package var codeHash: String?
        @AdminNullable package var reason: String?
        package var signature: String

        package init(from: String, to: String, approver: String, at: String, codeHash: String?, reason: String?,
                     signature: String) {
            self.from = from
            self.to = to
            self.approver = approver
            self.at = at
            self.codeHash = codeHash
            self.reason = reason
            self.signature = signature
        }

        enum CodingKeys: String, CodingKey {
            case from, to, approver, at, reason, signature
            case codeHash = "code_hash"
        }
    }
}

import Foundation

/// Everything Herald records about one agent beyond what the directory says: its pipeline
/// stage and gates, its registered code, outcome reports and kill switch.
///
/// Stored per realm and agent id (the directory owns identity and roles; this owns trust).
public struct AgentLifecycle: Sendable, Hashable, Codable {
    public var agentID: String
    public var stage: PipelineStage
    /// The stage an agent was suspended from: the only stage it may return to.
    public var suspendedFrom: PipelineStage?
    /// The code hash currently registered for the agent (`sha256:…`).
    public var codeHash: String?
    /// The code hash the directory last reported; a change there is a new registration.
    public var directoryCodeHash: String?
    /// The organisation unit, as last seen in the directory (for organisation kills).
    public var org: String?
    /// When the agent entered the pipeline; tenure counts from here.
    public var registeredAt: Date
    /// The agent's entry in the realm's token status list.
    public var statusIndex: Int
    public var outcomes: OutcomeTally
    /// Set while the agent is stopped by the kill switch.
    public var kill: KillRecord?
    /// Every gate passed, oldest first.
    public var gates: [GateRecord]

    public init(agentID: String, stage: PipelineStage = .intake, codeHash: String? = nil, org: String? = nil,
                registeredAt: Date, statusIndex: Int) {
        self.agentID = agentID
        self.stage = stage
        self.codeHash = codeHash
        directoryCodeHash = codeHash
        self.org = org
        self.registeredAt = registeredAt
        self.statusIndex = statusIndex
        outcomes = OutcomeTally()
        gates = []
    }

    /// The stages an advance may move to from here.
    public var allowedNext: [PipelineStage] {
        switch stage {
        case .revoked: []
        case .suspended: suspendedFrom.map { [$0] } ?? [.vetting]
        default: stage.next.map { [$0] } ?? []
        }
    }

    /// Whether the registered code hash is the one the latest approval gate signed off.
    public var codeAttested: Bool {
        guard let codeHash, let gate = gates.last(where: { ($0.to.rank ?? 0) >= PipelineStage.devApproved.rank! })
        else { return false }
        return gate.codeHash == codeHash
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id"
        case stage
        case suspendedFrom = "suspended_from"
        case codeHash = "code_hash"
        case directoryCodeHash = "directory_code_hash"
        case org
        case registeredAt = "registered_at"
        case statusIndex = "status_index"
        case outcomes, kill, gates
    }
}

/// Outcome reports (`POST {issuer}/agents/{id}/events`) counted by kind.
public struct OutcomeTally: Sendable, Hashable, Codable {
    public var success: Int
    public var failure: Int
    public var anomaly: Int

    public init(success: Int = 0, failure: Int = 0, anomaly: Int = 0) {
        self.success = success
        self.failure = failure
        self.anomaly = anomaly
    }

    public var total: Int { success + failure + anomaly }
}

/// The kinds of outcome a registered client may report about an agent.
public enum OutcomeKind: String, Sendable, Hashable, Codable, CaseIterable {
    case success, failure, anomaly
}

/// Why and by whom an agent or organisation was stopped.
public struct KillRecord: Sendable, Hashable, Codable {
    public var reason: String
    public var by: String
    public var at: Date

    public init(reason: String, by: String, at: Date) {
        self.reason = reason
        self.by = by
        self.at = at
    }
}

/// One pipeline gate: who moved the agent, when, from where to where, for which code. The
/// `signature` is a compact JWS (`typ: pipeline-gate+jwt`) over the same facts by the realm key.
public struct GateRecord: Sendable, Hashable, Codable {
    public var from: PipelineStage
    public var to: PipelineStage
    public var approver: String
    public var at: Date
    public var codeHash: String?
    public var reason: String?
    public var signature: String

    public init(from: PipelineStage, to: PipelineStage, approver: String, at: Date, codeHash: String?,
                reason: String? = nil, signature: String) {
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

import Foundation

/// What a policy decides about: who asks (agent, organisation, level, score, stage, how deep
/// in a delegation), for what (a capability's one action on one resource, or an MCP tool
/// call), and when.
public struct PolicyRequest: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case capability, gate
    }

    public var kind: Kind
    public var agent: String
    public var org: String?
    public var level: TrustLevel
    public var score: Int?
    public var stage: String?
    public var delegationDepth: Int
    public var type: String?
    public var action: String?
    public var resource: String?
    public var location: String?
    public var amount: Decimal?
    public var currency: String?
    public var time: Date

    public init(kind: Kind, agent: String, org: String? = nil, level: TrustLevel, score: Int? = nil,
                stage: String? = nil, delegationDepth: Int = 0, type: String? = nil, action: String? = nil,
                resource: String? = nil, location: String? = nil, amount: Decimal? = nil, currency: String? = nil,
                time: Date) {
        self.kind = kind
        self.agent = agent
        self.org = org
        self.level = level
        self.score = score
        self.stage = stage
        self.delegationDepth = delegationDepth
        self.type = type
        self.action = action
        self.resource = resource
        self.location = location
        self.amount = amount
        self.currency = currency
        self.time = time
    }

    /// A capability request for `detail`.
    public init(capability detail: AuthorizationDetail, agent: String, org: String?, level: TrustLevel, score: Int?,
                stage: String?, delegationDepth: Int, time: Date) {
        self.init(kind: .capability, agent: agent, org: org, level: level, score: score, stage: stage,
                  delegationDepth: delegationDepth, type: detail.type, action: detail.action,
                  resource: detail.identifier, location: detail.location, amount: detail.amountValue,
                  currency: detail.currency, time: time)
    }

    /// The text of a text field; nil when the request has none.
    public func text(_ field: PolicyField) -> String? {
        switch field {
        case .on: kind.rawValue
        case .agent: agent
        case .org: org
        case .stage: stage
        case .type: type
        case .action: action
        case .resource: resource
        case .location: location
        case .currency: currency
        case .level: level.name
        case .score, .delegationDepth, .amount, .time: nil
        }
    }

    /// The number of a numeric field (`level` as 0…4); nil when the request has none.
    public func number(_ field: PolicyField) -> Decimal? {
        switch field {
        case .level: Decimal(level.rawValue)
        case .score: score.map { Decimal($0) }
        case .delegationDepth: Decimal(delegationDepth)
        case .amount: amount
        default: nil
        }
    }
}

import Foundation
import HeraldCore
import HeraldJOSE

/// A peer's agents as this realm currently believes them: the last full bundle with the
/// deltas after it applied (wire-formats §7).
///
/// A value: ``apply(_:)`` either applies the whole bundle or changes nothing. When the
/// peer cannot be reached or its bundles are refused, the view stays as it is until
/// ``stale(now:maxStaleness:)``; from then on ``effectiveLevel(of:cap:now:maxStaleness:)``
/// gives L0. Codable, so the server can keep it across restarts.
public struct PeerView: Sendable, Hashable {
    /// The peer's entity id (its issuer URL).
    public let entity: String
    /// The sequence of the last applied bundle; nil before the first.
    public private(set) var sequence: Int64?
    /// When the last bundle was verified (``VerifiedBundle/verifiedAt``);
    /// `Date.distantPast` before the first.
    public private(set) var lastGood: Date
    /// The last applied bundle's `exp`.
    public private(set) var expiresAt: Date?
    /// The last applied bundle's `refresh_hint`, in seconds.
    public private(set) var refreshHint: Int?
    /// The peer's token and passport keys, from the last applied bundle.
    public private(set) var issuerKeys: [PublicJWK]
    /// The peer's federation keys, from the last applied bundle.
    public private(set) var federationKeys: [PublicJWK]
    /// The agents by `sub`.
    public private(set) var agents: [String: BundleAgent]

    /// An empty view of `entity`: no agents, stale.
    public init(entity: String) {
        self.entity = entity
        sequence = nil
        lastGood = .distantPast
        expiresAt = nil
        refreshHint = nil
        issuerKeys = []
        federationKeys = []
        agents = [:]
    }

    /// Applies a verified bundle: a full bundle replaces every agent; a delta must be
    /// relative to ``sequence`` (else `.deltaBaseMismatch`: fetch a full bundle) and
    /// overwrites the agents it carries and drops those in `removed`. A bundle from another
    /// entity (`.issuerMismatch`) or not newer than ``sequence`` (`.replayed`) is refused.
    public mutating func apply(_ bundle: VerifiedBundle) throws(BundleRejection) {
        let content = bundle.content
        guard content.iss == entity else {
            throw BundleRejection(.issuerMismatch, "a bundle from \(content.iss) cannot update the view of \(entity)")
        }
        if let sequence, content.sequence <= sequence {
            throw BundleRejection(.replayed,
                                  "bundle sequence \(content.sequence) is not newer than the applied \(sequence)")
        }
        if let since = content.since {
            guard since == sequence else {
                throw BundleRejection(.deltaBaseMismatch, "delta bundle \(content.sequence) is relative to sequence "
                                      + "\(since), but the view holds \(sequence.map(String.init) ?? "nothing"); "
                                      + "fetch a full bundle")
            }
            for sub in content.removed { agents.removeValue(forKey: sub) }
            for agent in content.agents { agents[agent.sub] = agent }
        } else {
            var replacement = [String: BundleAgent](minimumCapacity: content.agents.count)
            for agent in content.agents { replacement[agent.sub] = agent }
            agents = replacement
        }
        sequence = content.sequence
        lastGood = bundle.verifiedAt
        expiresAt = content.exp
        refreshHint = content.refreshHint
        issuerKeys = content.issuerKeys
        federationKeys = content.federationKeys
    }

    /// The peer's entry for `sub`, if it vouches for that agent.
    public func agent(_ sub: String) -> BundleAgent? { agents[sub] }

    /// Whether the last good bundle is older than `maxStaleness` seconds at `now` (always
    /// true before the first bundle).
    public func stale(now: Date, maxStaleness: TimeInterval) -> Bool {
        sequence == nil || now.timeIntervalSince(lastGood) > maxStaleness
    }

    /// The level this realm grants the peer's agent `sub`: min(the peer's level, `cap`);
    /// L0 when the peer no longer has it active or the view is stale; nil when the peer
    /// does not vouch for `sub` at all.
    public func effectiveLevel(of sub: String, cap: TrustLevel, now: Date, maxStaleness: TimeInterval) -> TrustLevel? {
        guard let agent = agents[sub] else { return nil }
        guard agent.status == .active, !stale(now: now, maxStaleness: maxStaleness) else { return .l0 }
        return min(agent.trustLevel, cap)
    }

    /// How many agents the view holds in each status.
    public var countsByStatus: [BundleAgent.Status: Int] {
        var counts: [BundleAgent.Status: Int] = [:]
        for agent in agents.values { counts[agent.status, default: 0] += 1 }
        return counts
    }
}

extension PeerView: Codable {
    private enum CodingKeys: String, CodingKey {
        case entity, sequence, lastGood = "last_good", expiresAt = "expires_at", refreshHint = "refresh_hint"
        case issuerKeys = "issuer_keys", federationKeys = "federation_keys", agents
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        entity = try container.decode(String.self, forKey: .entity)
        sequence = try container.decodeIfPresent(Int64.self, forKey: .sequence)
        lastGood = Date(timeIntervalSince1970: try container.decode(Double.self, forKey: .lastGood))
        expiresAt = try container.decodeIfPresent(Int64.self, forKey: .expiresAt)
            .map { Date(timeIntervalSince1970: TimeInterval($0)) }
        refreshHint = try container.decodeIfPresent(Int.self, forKey: .refreshHint)
        func keys(_ key: CodingKeys) throws -> [PublicJWK] {
            let texts = try container.decode([String].self, forKey: key)
            return try texts.map { text in
                do { return TrustBundle.normalized(try PublicJWK(jcs: try JCSParser.parse(text))) } catch {
                    throw DecodingError.dataCorruptedError(forKey: key, in: container,
                                                           debugDescription: "a stored key does not decode: \(error)")
                }
            }
        }
        issuerKeys = try keys(.issuerKeys)
        federationKeys = try keys(.federationKeys)
        let list = try container.decode([BundleAgent].self, forKey: .agents)
        var agents = [String: BundleAgent](minimumCapacity: list.count)
        for agent in list { agents[agent.sub] = agent }
        self.agents = agents
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entity, forKey: .entity)
        try container.encodeIfPresent(sequence, forKey: .sequence)
        try container.encode(lastGood.timeIntervalSince1970, forKey: .lastGood)
        try container.encodeIfPresent(expiresAt.map(TrustBundle.seconds), forKey: .expiresAt)
        try container.encodeIfPresent(refreshHint, forKey: .refreshHint)
        try container.encode(issuerKeys.map { $0.json(includeMetadata: true) }, forKey: .issuerKeys)
        try container.encode(federationKeys.map { $0.json(includeMetadata: true) }, forKey: .federationKeys)
        try container.encode(agents.values.sorted { $0.sub < $1.sub }, forKey: .agents)
    }
}

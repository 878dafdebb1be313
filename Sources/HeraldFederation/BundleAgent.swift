import Foundation
import HeraldCore
import HeraldJOSE

/// One agent as its home realm vouches for it in a trust bundle (wire-formats §7):
/// `{"sub","trust_level","trust_score","pipeline_stage","status","updated_at"}`.
///
/// Codable in that same wire form (`trust_level` an integer 0–4, `updated_at` whole
/// seconds since 1970), so a peer view can be stored as it was received.
public struct BundleAgent: Sendable, Hashable {
    /// Whether the home realm still trusts the agent.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Serving: the agent may be trusted up to its level (and the local cap).
        case active
        /// Killed or suspended at home; may come back.
        case suspended
        /// Revoked at home for good.
        case revoked
    }

    /// The agent's id in its home realm (the `sub` of its tokens).
    public var sub: String
    /// The level the home realm grants.
    public var trustLevel: TrustLevel
    /// The home realm's trust score, 0–100.
    public var trustScore: Int
    /// The home realm's pipeline stage (`ACTIVE`, `TESTING`, …), as a string: a peer may
    /// use stages this realm does not know.
    public var pipelineStage: String
    /// Whether the home realm still trusts the agent.
    public var status: Status
    private var updatedAtSeconds: Int64

    /// When the home realm last changed this entry, in whole seconds (fractions dropped).
    public var updatedAt: Date {
        get { Date(timeIntervalSince1970: TimeInterval(updatedAtSeconds)) }
        set { updatedAtSeconds = Int64(newValue.timeIntervalSince1970.rounded(.down)) }
    }

    /// An entry; `updatedAt` is truncated to whole seconds.
    public init(sub: String, trustLevel: TrustLevel, trustScore: Int, pipelineStage: String, status: Status,
                updatedAt: Date) {
        self.sub = sub
        self.trustLevel = trustLevel
        self.trustScore = trustScore
        self.pipelineStage = pipelineStage
        self.status = status
        self.updatedAtSeconds = Int64(updatedAt.timeIntervalSince1970.rounded(.down))
    }

    init(sub: String, trustLevel: TrustLevel, trustScore: Int, pipelineStage: String, status: Status,
         updatedAtSeconds: Int64) {
        self.sub = sub
        self.trustLevel = trustLevel
        self.trustScore = trustScore
        self.pipelineStage = pipelineStage
        self.status = status
        self.updatedAtSeconds = updatedAtSeconds
    }

    /// Appends the wire object to `writer`.
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("sub", sub)
        writer.member("trust_level", trustLevel.rawValue)
        writer.member("trust_score", trustScore)
        writer.member("pipeline_stage", pipelineStage)
        writer.member("status", status.rawValue)
        writer.key("updated_at")
        writer.int(Int(updatedAtSeconds))
        writer.endObject()
    }

    /// Reads the wire object; `index` names the entry in messages.
    init(jcs value: JCSValue, index: Int) throws(BundleRejection) {
        guard case .object(let members) = value else {
            throw BundleRejection(.malformed, "agents[\(index)] is not a JSON object")
        }
        func member(_ name: String) throws(BundleRejection) -> JCSValue {
            guard let value = members[name] else {
                throw BundleRejection(.malformed, "agents[\(index)] has no \(name)")
            }
            return value
        }
        guard case .string(let sub) = try member("sub"), !sub.isEmpty else {
            throw BundleRejection(.malformed, "agents[\(index)].sub must be a non-empty string")
        }
        guard case .int(let level) = try member("trust_level"), let trustLevel = TrustLevel(rawValue: Int(level)) else {
            throw BundleRejection(.malformed, "agents[\(index)].trust_level must be an integer 0–4")
        }
        guard case .int(let score) = try member("trust_score"), (0...100).contains(score) else {
            throw BundleRejection(.malformed, "agents[\(index)].trust_score must be an integer 0–100")
        }
        guard case .string(let stage) = try member("pipeline_stage") else {
            throw BundleRejection(.malformed, "agents[\(index)].pipeline_stage must be a string")
        }
        guard case .string(let statusName) = try member("status"), let status = Status(rawValue: statusName) else {
            throw BundleRejection(.malformed, "agents[\(index)].status must be active, suspended or revoked")
        }
        guard case .int(let updatedAt) = try member("updated_at"), updatedAt >= 0 else {
            throw BundleRejection(.malformed, "agents[\(index)].updated_at must be whole seconds since 1970")
        }
        self.init(sub: sub, trustLevel: trustLevel, trustScore: Int(score), pipelineStage: stage, status: status,
                  updatedAtSeconds: updatedAt)
    }
}

extension BundleAgent: Codable {
    private enum CodingKeys: String, CodingKey {
        case sub, trustLevel = "trust_level", trustScore = "trust_score", pipelineStage = "pipeline_stage", status
        case updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let level = try container.decode(Int.self, forKey: .trustLevel)
        guard let trustLevel = TrustLevel(rawValue: level) else {
            throw DecodingError.dataCorruptedError(forKey: .trustLevel, in: container,
                                                   debugDescription: "trust_level must be 0–4")
        }
        self.init(sub: try container.decode(String.self, forKey: .sub), trustLevel: trustLevel,
                  trustScore: try container.decode(Int.self, forKey: .trustScore),
                  pipelineStage: try container.decode(String.self, forKey: .pipelineStage),
                  status: try container.decode(Status.self, forKey: .status),
                  updatedAtSeconds: try container.decode(Int64.self, forKey: .updatedAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sub, forKey: .sub)
        try container.encode(trustLevel.rawValue, forKey: .trustLevel)
        try container.encode(trustScore, forKey: .trustScore)
        try container.encode(pipelineStage, forKey: .pipelineStage)
        try container.encode(status, forKey: .status)
        try container.encode(updatedAtSeconds, forKey: .updatedAt)
    }
}

import Foundation

/// An agent's 0–100 trust score and the components it is made of (docs/lifecycle.md).
///
/// Each component has a weight (the weights add up to 100) and a value 0–100; it contributes
/// `round(weight × value / 100)` whole points, and the score is the sum of the points, so an
/// explanation always adds up exactly.
public struct TrustScore: Sendable, Hashable, Codable {
    public var value: Int
    public var components: [Component]

    public struct Component: Sendable, Hashable, Codable {
        public var name: String
        public var weight: Int
        public var value: Int
        public var points: Int
        /// What the value is based on, for `herald agent explain`.
        public var basis: String
    }

    /// Weights of the components; they add up to 100.
    public static let weights: [(name: String, weight: Int)] = [
        ("code_attestation", 25), ("pipeline_stage", 30), ("execution_history", 25), ("tenure", 10), ("federation", 10),
    ]

    /// Days of tenure that earn the full tenure value.
    public static let fullTenureDays = 90

    /// The score of `agent` at `now`; `federation` is a peer's score for the agent, if any.
    public init(agent: AgentLifecycle, now: Date, federation: Int? = nil) {
        var values: [String: (Int, String)] = [:]
        values["code_attestation"] = switch (agent.codeHash, agent.codeAttested) {
        case (nil, _): (0, "no code hash registered")
        case (_, false): (50, "code hash registered, not yet approved at a gate")
        case (_, true): (100, "registered code hash approved at its latest gate")
        }
        values["pipeline_stage"] = (Self.stageValue(agent.stage), "stage \(agent.stage.rawValue)")
        let tally = agent.outcomes
        if tally.total == 0 {
            values["execution_history"] = (50, "no outcome reports yet (neutral)")
        } else {
            // Failures count double and anomalies five times; one success and one failure of
            // prior keep a single report from swinging the value to an extreme.
            let good = tally.success + 1, weighed = tally.success + 2 * tally.failure + 5 * tally.anomaly + 2
            values["execution_history"] = ((100 * good + weighed / 2) / weighed,
                                           "\(tally.success) success, \(tally.failure) failure, \(tally.anomaly) anomaly")
        }
        let days = max(0, Int(now.timeIntervalSince(agent.registeredAt) / 86400))
        values["tenure"] = (min(100, 100 * days / Self.fullTenureDays), "\(days) days since intake")
        values["federation"] = federation.map { (max(0, min(100, $0)), "score reported by the agent's home peer") }
            ?? (50, "no federation input (neutral)")
        components = Self.weights.map { name, weight in
            let (value, basis) = values[name]!
            return Component(name: name, weight: weight, value: value, points: (weight * value + 50) / 100, basis: basis)
        }
        value = components.reduce(0) { $0 + $1.points }
    }

    /// The stage component: progress along the pipeline; nothing while suspended or revoked.
    static func stageValue(_ stage: PipelineStage) -> Int {
        guard let rank = stage.rank else { return 0 }
        return 20 * rank
    }
}

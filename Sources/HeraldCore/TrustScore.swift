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

    /// The components in order, with their weights; the weights add up to 100.
    public static let weights: [(name: String, weight: Int)] = [
        ("code_attestation", 25), ("pipeline_stage", 30), ("execution_history", 25), ("tenure", 10), ("federation", 10),
    ]

    /// Days of tenure that earn the full tenure value.
    public static let fullTenureDays = 90

    /// The score of `agent` at `now`, with every component explained; `federation` is a
    /// peer's score for the agent, if any.
    public init(agent: AgentLifecycle, now: Date, federation: Int? = nil) {
        let values = Self.componentValues(agent: agent, now: now, federation: federation)
        let tally = agent.outcomes
        let days = Self.tenureDays(agent, now: now)
        let bases = [
            agent.codeHash == nil ? "no code hash registered"
                : agent.codeAttested ? "registered code hash approved at its latest gate"
                : "code hash registered, not yet approved at a gate",
            "stage \(agent.stage.rawValue)",
            tally.total == 0 ? "no outcome reports yet (neutral)"
                : "\(tally.success) success, \(tally.failure) failure, \(tally.anomaly) anomaly",
            "\(days) days since intake",
            federation == nil ? "no federation input (neutral)" : "score reported by the agent's home peer",
        ]
        components = Self.weights.indices.map { index in
            let (name, weight) = Self.weights[index]
            return Component(name: name, weight: weight, value: values[index],
                             points: Self.points(weight: weight, value: values[index]), basis: bases[index])
        }
        value = components.reduce(0) { $0 + $1.points }
    }

    /// The score alone, without explanations: what the request path needs.
    public static func value(agent: AgentLifecycle, now: Date, federation: Int? = nil) -> Int {
        let values = componentValues(agent: agent, now: now, federation: federation)
        var total = 0
        for index in weights.indices { total += points(weight: weights[index].weight, value: values[index]) }
        return total
    }

    /// Each component's value 0–100, in the order of ``weights``.
    static func componentValues(agent: AgentLifecycle, now: Date, federation: Int?) -> [Int] {
        let code = agent.codeHash == nil ? 0 : agent.codeAttested ? 100 : 50
        let tally = agent.outcomes
        let history: Int
        if tally.total == 0 {
            history = 50
        } else {
            // Failures count double and anomalies five times; one success and one failure of
            // prior keep a single report from swinging the value to an extreme.
            let good = tally.success + 1, weighed = tally.success + 2 * tally.failure + 5 * tally.anomaly + 2
            history = (100 * good + weighed / 2) / weighed
        }
        let tenure = min(100, 100 * tenureDays(agent, now: now) / fullTenureDays)
        return [code, stageValue(agent.stage), history, tenure, federation.map { max(0, min(100, $0)) } ?? 50]
    }

    static func points(weight: Int, value: Int) -> Int { (weight * value + 50) / 100 }

    static func tenureDays(_ agent: AgentLifecycle, now: Date) -> Int {
        max(0, Int(now.timeIntervalSince(agent.registeredAt) / 86400))
    }

    /// The stage component: progress along the pipeline; nothing while suspended or revoked.
    static func stageValue(_ stage: PipelineStage) -> Int {
        guard let rank = stage.rank else { return 0 }
        return 20 * rank
    }
}

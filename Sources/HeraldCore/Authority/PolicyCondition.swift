import Foundation

/// One condition of a ``PolicyRule``: a test of one ``PolicyField`` of the request. A field
/// the request does not have (an amount at the MCP gate) fails every test, so the rule does
/// not match.
public struct PolicyCondition: Sendable, Hashable, Codable {
    public enum Test: Sendable, Hashable, Codable {
        /// The text equals one of these; `*` in a pattern matches any run of characters.
        case anyOf([String])
        /// The number satisfies every bound.
        case compare([Bound])
        /// The time of day (minutes after midnight in `zone`) is in `from..<to`, across
        /// midnight when `from` > `to`.
        case timeOfDay(from: Int, to: Int, zone: String)
    }

    /// `op value`, e.g. `gt 1000`.
    public struct Bound: Sendable, Hashable, Codable {
        public var op: Comparison
        public var value: Decimal

        public init(_ op: Comparison, _ value: Decimal) {
            self.op = op
            self.value = value
        }

        public func holds(for number: Decimal) -> Bool {
            switch op {
            case .gt: number > value
            case .gte: number >= value
            case .lt: number < value
            case .lte: number <= value
            case .eq: number == value
            }
        }
    }

    public enum Comparison: String, Sendable, Hashable, Codable, CaseIterable {
        case gt, gte, lt, lte, eq
    }

    public var field: PolicyField
    public var test: Test

    public init(_ field: PolicyField, _ test: Test) {
        self.field = field
        self.test = test
    }
}

import Foundation

/// Names one running Herald process among the replicas that share a store, so a replica can
/// tell its own changes from the others' when they come back through a change feed.
public struct ReplicaID: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// This process: a fresh random id per start (a restarted replica is a new one, which is
    /// right: it reloads everything from the store when it starts).
    public static let process = ReplicaID(UUID().uuidString)

    public var description: String { rawValue }
}

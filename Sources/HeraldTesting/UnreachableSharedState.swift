import Foundation
import HeraldCore

/// Replica-shared state whose database is down: every call throws. For the fail-closed
/// tests of the callers (an assertion refused, a change answered 503, no bundle signed);
/// issue 14's shared implementations are tested against the real database.
public struct UnreachableSharedState<Change: Sendable>: Sendable {
    /// What every call throws.
    public struct Down: Error, CustomStringConvertible {
        public var description: String { "the shared state is unreachable (test)" }
    }

    public init() {}

    public func publish(_ change: Change) async throws { throw Down() }
    public func subscribe() async throws -> AsyncStream<Change> { throw Down() }
}

extension UnreachableSharedState: LifecycleChangeFeed where Change == LifecycleChange {}
extension UnreachableSharedState: RealmChangeFeed where Change == RealmChange {}

extension UnreachableSharedState: AssertionReplayCache where Change == Never {
    public func record(_ id: String, expiresAt: Date, now: Date) async throws -> ReplayOutcome { throw Down() }
}

extension UnreachableSharedState: FederationSequence where Change == Never {
    public func next(realm: String, atLeast: Int64) async throws -> Int64 { throw Down() }
}

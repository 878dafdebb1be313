import HeraldCore
import Synchronization

/// The in-process ``FederationSequence``: the last sequence per realm, under a lock. Strictly
/// increasing within this process; across restarts because callers pass the time as the
/// floor. With several replicas a shared sequence takes its place.
package final class LocalFederationSequence: FederationSequence {
    private let last = Mutex<[String: Int64]>([:])

    package init() {}

    package func next(realm: String, atLeast floor: Int64) -> Int64 {
        last.withLock { last in
            let sequence = max(floor, (last[realm] ?? Int64.min) &+ 1)
            last[realm] = sequence
            return sequence
        }
    }
}

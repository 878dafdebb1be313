import Synchronization

/// The in-process change feed: delivers each published change to every subscriber of this
/// process, in publish order. It is the whole story for one replica; with several, a
/// replica-shared feed takes its place (``LifecycleChangeFeed``, ``RealmChangeFeed``).
///
/// Each subscriber's buffer is unbounded: changes are as rare as the store writes that make
/// them, and dropping one would break the at-least-once contract.
public final class LocalChangeFeed<Change: Sendable>: Sendable {
    private struct Subscribers {
        var next = 0
        var continuations: [Int: AsyncStream<Change>.Continuation] = [:]
    }

    private let subscribers = Mutex(Subscribers())

    public init() {}

    /// How many subscribers are listening now.
    public var subscriberCount: Int { subscribers.withLock { $0.continuations.count } }

    public func publish(_ change: Change) {
        // Yield under the lock, so two concurrent publishers reach every subscriber in one order.
        subscribers.withLock { state in
            for continuation in state.continuations.values { continuation.yield(change) }
        }
    }

    public func subscribe() -> AsyncStream<Change> {
        let (stream, continuation) = AsyncStream<Change>.makeStream(bufferingPolicy: .unbounded)
        let id = subscribers.withLock { state in
            let id = state.next
            state.next += 1
            state.continuations[id] = continuation
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }
}

extension LocalChangeFeed: LifecycleChangeFeed where Change == LifecycleChange {}
extension LocalChangeFeed: RealmChangeFeed where Change == RealmChange {}

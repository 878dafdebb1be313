import Synchronization

/// One probe's result, remembered for `ttl` and shared: concurrent readiness requests wait
/// for the same probe (single flight), and none waits longer than `timeout`. So probes can
/// never pile up on a slow dependency, nor hit it more than once per `ttl`.
final class ProbeCache: Sendable {
    struct Outcome: Sendable {
        /// Why the probe failed; nil when it passed.
        let error: String?
        let latency: Duration
        let at: ContinuousClock.Instant
    }

    let ttl: Duration
    let timeout: Duration
    private let state = Mutex<(last: Outcome?, running: Task<Outcome, Never>?)>((nil, nil))

    init(ttl: Duration = .seconds(2), timeout: Duration = .seconds(1)) {
        self.ttl = ttl
        self.timeout = timeout
    }

    /// The last outcome if it is younger than `ttl`, else that of a probe run now (or the one
    /// already running), or a timeout failure after `timeout`.
    func outcome(_ probe: @escaping @Sendable () async throws -> Void) async -> Outcome {
        let now = ContinuousClock.now
        let task: Task<Outcome, Never> = state.withLock { current in
            if let last = current.last, now - last.at < ttl {
                return Task { last }
            }
            if let running = current.running { return running }
            let running = Task { [self] in
                let start = ContinuousClock.now
                var failure: String?
                do { try await probe() } catch { failure = "\(error)" }
                let outcome = Outcome(error: failure, latency: ContinuousClock.now - start, at: ContinuousClock.now)
                self.state.withLock { current in
                    current.last = outcome
                    current.running = nil
                }
                return outcome
            }
            current.running = running
            return running
        }
        let timeout = self.timeout
        // Not a task group: a group would wait for its child still awaiting the probe.
        return await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            let once = Once()
            @Sendable func finish(_ outcome: Outcome) {
                if once.claim() { continuation.resume(returning: outcome) }
            }
            Task { finish(await task.value) }
            Task {
                try? await Task.sleep(for: timeout)
                finish(Outcome(error: "no answer within \(timeout)", latency: timeout, at: ContinuousClock.now))
            }
        }
    }
}

/// True for the first caller of ``claim()`` only.
private final class Once: Sendable {
    private let claimed = Atomic<Bool>(false)

    func claim() -> Bool { claimed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged }
}

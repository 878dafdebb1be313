import Foundation

/// The issuer's change log for delta bundles (`GET {issuer}/federation/bundle?since=N`).
///
/// **Scheme.** Every bundle a realm signs, full or delta, has a new `sequence`, and stands
/// for the realm's full agent list at that sequence. For each agent the log keeps
/// `changedAt`: the sequence of the first recorded list in which the agent's entry had its
/// present value (new, or any field — level, score, stage, status, `updated_at` —
/// different from the list before). For each agent that left the list it keeps a
/// tombstone: the sequence of the first list without it. A delta relative to base `B`
/// (`since: B`) then carries
///
/// - `agents`: every present agent with `changedAt > B`, and
/// - `removed`: every tombstoned sub with removal sequence `> B`,
///
/// and has the sequence of the latest recorded list. Applied to the full state at `B`
/// (an unchanged agent is in both, a changed or new one is overwritten, a removed one
/// dropped) it gives exactly the full state at the delta's sequence, whatever happened in
/// between (an agent changed twice is sent once, with its latest entry; removed and
/// re-added, it is sent and not listed as removed).
///
/// The log answers for bases from ``oldestBase`` (the first list it recorded, or the prune
/// point) to ``sequence``; for anything else ``delta(of:since:)`` returns nil and the issuer
/// serves the full bundle. It lives in memory: after a restart it starts again and each
/// peer takes one full bundle. The peer side is ``PeerView/apply(_:)``, which refuses a
/// delta whose `since` is not the sequence it holds.
public struct BundleDelta: Sendable {
    private struct Entry: Sendable {
        var agent: BundleAgent
        var changedAt: Int64
    }

    private var entries: [String: Entry] = [:]
    private var removedAt: [String: Int64] = [:]
    /// The sequence of the last recorded list; nil before the first.
    public private(set) var sequence: Int64?
    /// The oldest base a delta can be built against.
    public private(set) var oldestBase: Int64?

    /// An empty log.
    public init() {}

    /// Records `agents` as the full list published at `sequence` and returns how many
    /// entries changed (new, changed or removed) since the previous list. A `sequence` not
    /// greater than the last recorded one (the issuer's counter went back) starts the log
    /// afresh, so no delta spans the discontinuity.
    @discardableResult
    public mutating func record(_ agents: [BundleAgent], sequence: Int64) -> Int {
        if let last = self.sequence, sequence <= last {
            self = BundleDelta()
        }
        guard self.sequence != nil else {
            entries = Dictionary(agents.map { ($0.sub, Entry(agent: $0, changedAt: sequence)) },
                                 uniquingKeysWith: { _, last in last })
            self.sequence = sequence
            oldestBase = sequence
            return entries.count
        }
        var changed = 0
        var present = Set<String>(minimumCapacity: agents.count)
        for agent in agents {
            present.insert(agent.sub)
            if let entry = entries[agent.sub], entry.agent == agent { continue }
            entries[agent.sub] = Entry(agent: agent, changedAt: sequence)
            removedAt.removeValue(forKey: agent.sub)
            changed += 1
        }
        if present.count != entries.count {
            for sub in entries.keys where !present.contains(sub) {
                entries.removeValue(forKey: sub)
                removedAt[sub] = sequence
                changed += 1
            }
        }
        self.sequence = sequence
        return changed
    }

    /// Records the agents of a full bundle at its sequence (see ``record(_:sequence:)``).
    @discardableResult
    public mutating func record(_ bundle: TrustBundle) -> Int {
        record(bundle.agents, sequence: bundle.sequence)
    }

    /// The entries that changed, and the subs removed, after `base`; nil when the log
    /// cannot answer for `base` (before ``oldestBase`` or after ``sequence``).
    public func changes(since base: Int64) -> (agents: [BundleAgent], removed: [String])? {
        guard let sequence, let oldestBase, base >= oldestBase, base <= sequence else { return nil }
        let agents = entries.values.filter { $0.changedAt > base }.map(\.agent).sorted { $0.sub < $1.sub }
        let removed = removedAt.filter { $0.value > base }.map(\.key).sorted()
        return (agents, removed)
    }

    /// The delta of `full` relative to `base`: `full` with only the agents changed after
    /// `base`, `since: base` and `removed`. Nil when `full` is not the full bundle of the
    /// last recorded list (its sequence differs) or the log cannot answer for `base`.
    public func delta(of full: TrustBundle, since base: Int64) -> TrustBundle? {
        guard !full.isDelta, full.sequence == sequence, base < full.sequence,
              let changes = changes(since: base) else { return nil }
        var delta = full
        delta.agents = changes.agents
        delta.since = base
        delta.removed = changes.removed
        return delta
    }

    /// Forgets tombstones at or before `base` and stops answering for older bases, to
    /// bound memory when agents come and go.
    public mutating func prune(before base: Int64) {
        guard let sequence, base <= sequence, base > (oldestBase ?? .min) else { return }
        removedAt = removedAt.filter { $0.value > base }
        oldestBase = base
    }

    /// The stateless form of the scheme: `full` reduced to the agents whose `changedAt`
    /// sequence (absent: treated as changed) is after `base`, with `removed` the subs in
    /// `removedAt` after `base` that are not in `full`.
    public static func delta(of full: TrustBundle, changedAt: [String: Int64], removedAt: [String: Int64],
                             since base: Int64) -> TrustBundle {
        var delta = full
        delta.agents = full.agents.filter { (changedAt[$0.sub] ?? .max) > base }
        let present = Set(full.agents.lazy.map(\.sub))
        delta.removed = removedAt.filter { $0.value > base && !present.contains($0.key) }.map(\.key).sorted()
        delta.since = base
        return delta
    }
}

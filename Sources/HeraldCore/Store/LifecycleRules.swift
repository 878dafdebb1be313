/// The rules of stored agent lifecycle records that every ``LifecycleRepository`` applies
/// inside ``LifecycleRepository/modifyAgentLifecycle(realm:agentID:_:)``, after the caller's
/// change and before anything is written.
///
/// A record's status index is its bit in the realm's Token Status List, and every token and
/// passport issued to the agent carries it: an index that moved, or two agents on one index,
/// would make one agent's revocation show on another's tokens.
public enum LifecycleRules {
    /// The index a new record takes: one above the highest index of the realm's records, 0
    /// for the first. Indices of existing records are never handed out again.
    public static func nextStatusIndex(highestInUse: Int?) -> Int { highestInUse.map { $0 + 1 } ?? 0 }

    /// Throws ``HeraldError/Code/conflict`` when `after` (the caller's edit of `before`, the
    /// record of `agentID`; nil for none) breaks a rule:
    /// - the record names `agentID`;
    /// - a new record takes `nextStatusIndex`;
    /// - an existing record keeps its status index.
    ///
    /// Removing a record (`after` nil) is allowed. Unique indices per realm follow from the
    /// rules; a backend may enforce them with a constraint as well.
    public static func check(before: AgentLifecycle?, after: AgentLifecycle?, agentID: String, nextStatusIndex: Int)
        throws
    {
        guard let after else { return }
        guard after.agentID == agentID else {
            throw HeraldError(.conflict, "lifecycle record of \(agentID) names agent \(after.agentID)")
        }
        if let before {
            guard after.statusIndex == before.statusIndex else {
                throw HeraldError(.conflict, "agent \(agentID) keeps status index \(before.statusIndex), not \(after.statusIndex)")
            }
        } else if after.statusIndex != nextStatusIndex {
            throw HeraldError(.conflict,
                              "a new lifecycle record of \(agentID) takes status index \(nextStatusIndex), not \(after.statusIndex)")
        }
    }
}

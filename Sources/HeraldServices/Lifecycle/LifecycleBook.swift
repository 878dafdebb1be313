import Foundation
import HeraldCore
import Synchronization

/// The lifecycle state every request consults (pipeline records, kill switches, revoked
/// tokens), in memory: one lock and a dictionary read per request, so a kill bites on the
/// very next request without a store round trip. Written only by ``LifecycleService``, after
/// the store has the change.
package final class LifecycleBook: Sendable {
    package struct RealmBook: Sendable {
        package var state = RealmLifecycleState()
        /// Bumped on every change; status lists are cached per version.
        package var version = 0
    }

    package init() {}

    /// What a request needs to know about one agent.
    package struct Standing: Sendable {
        package let record: AgentLifecycle?
        package let orgKill: (org: String, kill: KillRecord)?

        /// Stopped by the kill switch (its own or its organisation's), or SUSPENDED/REVOKED.
        package var isStopped: Bool {
            orgKill != nil || record.map { $0.kill != nil || !$0.stage.isServing } ?? false
        }
    }

    private let realms = Mutex<[String: RealmBook]>([:])

    package func standing(realm: String, agentID: String, org: String?) -> Standing {
        realms.withLock { realms in
            let state = realms[realm]?.state
            let record = state?.agents[agentID]
            let orgName = org ?? record?.org
            let orgKill = orgName.flatMap { name in state?.orgKills[name].map { (org: name, kill: $0) } }
            return Standing(record: record, orgKill: orgKill)
        }
    }

    package func isRevoked(realm: String, jti: String) -> Bool {
        realms.withLock { $0[realm]?.state.revokedTokens[jti] != nil }
    }

    package func book(realm: String) -> RealmBook { realms.withLock { $0[realm] ?? RealmBook() } }

    package func replace(realm: String, with state: RealmLifecycleState) {
        realms.withLock { realms in
            let version = (realms[realm]?.version ?? 0) + 1
            realms[realm] = RealmBook(state: state, version: version)
        }
    }

    /// Applies `change` to the realm's state where it lies and bumps its version.
    ///
    /// In place on purpose: copying the book out and back held a second reference to its
    /// dictionaries, so the first write copied every agent record (O(agents) per change, which
    /// at 1,000,000 agents cut the gate's rate to a third with one change a second, issue 12).
    package func update(realm: String, _ change: (inout RealmLifecycleState) -> Void) {
        realms.withLock { realms in
            change(&realms[realm, default: RealmBook()].state)
            realms[realm, default: RealmBook()].version += 1
        }
    }

    package func remove(realm: String) { realms.withLock { _ = $0.removeValue(forKey: realm) } }
}

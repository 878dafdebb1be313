import Foundation
import HeraldFederation

/// What this realm keeps about one peer between refreshes (stored as JSON): the anchor it
/// verifies the peer's bundles with, the peer's agents as last applied, and how the last
/// refreshes went.
package struct PeerRecord: Sendable, Codable {
    package var anchor: PeerAnchor
    package var view: PeerView
    package var status: PeerStatus
}

/// The outcome of a peer's refreshes, for operators (`herald federation peer show`).
package struct PeerStatus: Sendable, Codable, Hashable {
    package enum State: String, Sendable, Codable {
        /// Never refreshed yet.
        case pending
        /// The last refresh was accepted.
        case ok
        /// The peer answered, but its bundle was refused (the last good bundle stays).
        case rejected
        /// The peer could not be reached (the last good bundle stays).
        case unreachable
    }

    package var state: State = .pending
    /// Why the last refresh failed, in one line.
    package var reason: String?
    /// The refusal code of a rejected bundle (`replayed`, `unpinned_key`, …).
    package var code: String?
    package var lastAttempt: Date?
    package var lastSuccess: Date?
    /// Consecutive failures; drives the backoff.
    package var failures = 0
    package var nextRefresh: Date?

    package enum CodingKeys: String, CodingKey {
        case state, reason, code, failures
        case lastAttempt = "last_attempt"
        case lastSuccess = "last_success"
        case nextRefresh = "next_refresh"
    }
}

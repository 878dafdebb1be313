import Foundation
import HeraldFederation

/// What this realm keeps about one peer between refreshes (stored as JSON): the anchor it
/// verifies the peer's bundles with, the peer's agents as last applied, and how the last
/// refreshes went.
struct PeerRecord: Sendable, Codable {
    var anchor: PeerAnchor
    var view: PeerView
    var status: PeerStatus
}

/// The outcome of a peer's refreshes, for operators (`herald federation peer show`).
struct PeerStatus: Sendable, Codable, Hashable {
    enum State: String, Sendable, Codable {
        /// Never refreshed yet.
        case pending
        /// The last refresh was accepted.
        case ok
        /// The peer answered, but its bundle was refused (the last good bundle stays).
        case rejected
        /// The peer could not be reached (the last good bundle stays).
        case unreachable
    }

    var state: State = .pending
    /// Why the last refresh failed, in one line.
    var reason: String?
    /// The refusal code of a rejected bundle (`replayed`, `unpinned_key`, …).
    var code: String?
    var lastAttempt: Date?
    var lastSuccess: Date?
    /// Consecutive failures; drives the backoff.
    var failures = 0
    var nextRefresh: Date?

    enum CodingKeys: String, CodingKey {
        case state, reason, code, failures
        case lastAttempt = "last_attempt"
        case lastSuccess = "last_success"
        case nextRefresh = "next_refresh"
    }
}

/// `GET /admin/realms/{r}/audit`: a page of one realm's audit chain, oldest first.
/// `next_after` is the last `seq` of a full page (pass it as `after`), else `null`.
package struct AdminAuditPage: Codable, Sendable, Equatable {
    package var entries: [Entry]
    @AdminNullable package var nextAfter: Int64?

    package init(entries: [Entry], nextAfter: Int64?) {
        self.entries = entries
        self.nextAfter = nextAfter
    }

    enum CodingKeys: String, CodingKey {
        case entries
        case nextAfter = "next_after"
    }

    /// One audit entry with its chain hashes.
    package struct Entry: Codable, Sendable, Equatable {
        package var seq: Int64
        /// RFC 3339 in whole seconds (the entry stores milliseconds).
        package var time: String
        package var type: String
        package var actor: String
        @AdminNullable package var agent: String?
        @AdminNullable package var client: String?
        /// The internal reason of a denial; never sent to the client that was denied.
        @AdminNullable package var reason: String?
        package var detail: [String: String]
        package var prevHash: String
        package var hash: String

        package init(seq: Int64, time: String, type: String, actor: String, agent: String?, client: String?,
                     reason: String?, detail: [String: String], prevHash: String, hash: String) {
            self.seq = seq
            self.time = time
            self.type = type
            self.actor = actor
            self.agent = agent
            self.client = client
            self.reason = reason
            self.detail = detail
            self.prevHash = prevHash
            self.hash = hash
        }

        enum CodingKeys: String, CodingKey {
            case seq, time, type, actor, agent, client, reason, detail, hash
            case prevHash = "prev_hash"
        }
    }
}

import Foundation

/// One decision or change, as it enters the audit log (architecture: "every decision is
/// one audit entry"). The log adds the sequence number and the chain hashes.
public struct AuditEvent: Sendable, Hashable, Codable {
    /// What happened, dotted: `token.issued`, `token.denied`, `admin.client.created`,
    /// `key.activated`, `audit.checkpoint`, …
    public var type: String
    public var realm: String
    public var time: Date
    /// Who caused it: a client id, an admin client, or `system`.
    public var actor: String
    public var agent: String?
    public var client: String?
    /// Why, for denials and failures (internal reason: never shown to clients).
    public var reason: String?
    /// Further facts (jti, level, kid, …), string-valued so the canonical form is simple.
    public var detail: [String: String]

    public init(type: String, realm: String, time: Date, actor: String, agent: String? = nil, client: String? = nil,
                reason: String? = nil, detail: [String: String] = [:]) {
        self.type = type
        self.realm = realm
        self.time = time
        self.actor = actor
        self.agent = agent
        self.client = client
        self.reason = reason
        self.detail = detail
    }
}

/// An audit event as stored: its place in the realm's chain and the hashes that bind it.
public struct AuditEntry: Sendable, Hashable {
    public var sequence: Int64
    public var event: AuditEvent
    /// Lowercase hex SHA-256 of the previous entry's canonical form (64 zeros for the first).
    public var previousHash: String
    /// Lowercase hex SHA-256 of this entry's canonical form.
    public var hash: String

    public init(sequence: Int64, event: AuditEvent, previousHash: String, hash: String) {
        self.sequence = sequence
        self.event = event
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The bytes hashed for this entry: JSON with a fixed member order and sorted detail
    /// keys, time as integer milliseconds, absent members as null. Anyone can recompute it.
    public static func canonicalForm(sequence: Int64, event: AuditEvent, previousHash: String) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        func optional(_ name: String, _ value: String?) {
            writer.key(name)
            if let value { writer.string(value) } else { writer.null() }
        }
        writer.beginObject()
        writer.member("seq", Int(sequence))
        writer.member("realm", event.realm)
        writer.member("time_ms", Int((event.time.timeIntervalSince1970 * 1000).rounded()))
        writer.member("type", event.type)
        writer.member("actor", event.actor)
        optional("agent", event.agent)
        optional("client", event.client)
        optional("reason", event.reason)
        writer.key("detail")
        writer.beginObject()
        for key in event.detail.keys.sorted() { writer.member(key, event.detail[key]!) }
        writer.endObject()
        writer.member("prev", previousHash)
        writer.endObject()
        return writer.bytes
    }
}

/// Which entries an audit query returns.
public struct AuditQuery: Sendable, Hashable {
    public var realm: String
    public var from: Date?
    public var to: Date?
    public var type: String?
    public var agent: String?
    public var client: String?
    /// Entries with a sequence number greater than this (paging).
    public var after: Int64?
    public var limit: Int

    public init(realm: String, from: Date? = nil, to: Date? = nil, type: String? = nil, agent: String? = nil,
                client: String? = nil, after: Int64? = nil, limit: Int = 100) {
        self.realm = realm
        self.from = from
        self.to = to
        self.type = type
        self.agent = agent
        self.client = client
        self.after = after
        self.limit = limit
    }
}

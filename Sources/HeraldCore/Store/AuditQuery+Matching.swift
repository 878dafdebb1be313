import Foundation

extension AuditQuery {
    /// The most entries one query returns; page on with ``after``.
    public static let maxLimit = 1000

    /// ``limit`` clamped to 1…``maxLimit``.
    public var effectiveLimit: Int { min(max(limit, 1), Self.maxLimit) }

    /// Whether `entry` is one this query asks for (every backend's `entries` returns exactly
    /// these, oldest first):
    /// - the entry's realm is ``realm``;
    /// - ``from``…``to`` on the entry's time, half-open (`from` included, `to` excluded), in
    ///   whole milliseconds;
    /// - ``type`` exactly, or every type under a prefix when it ends in `.*` (`token.*`
    ///   matches `token.issued` and `token.denied`); a lone `*` matches every type;
    /// - ``agent``, ``client`` exactly;
    /// - ``after``: only sequence numbers above it.
    public func matches(_ entry: AuditEntry) -> Bool {
        let event = entry.event
        guard event.realm == realm else { return false }
        let time = Self.milliseconds(event.time)
        if let from, time < Self.milliseconds(from) { return false }
        if let to, time >= Self.milliseconds(to) { return false }
        if let type, type != "*" {
            if type.hasSuffix(".*") {
                guard event.type.hasPrefix(type.dropLast()) else { return false }
            } else if event.type != type {
                return false
            }
        }
        if let agent, event.agent != agent { return false }
        if let client, event.client != client { return false }
        if let after, entry.sequence <= after { return false }
        return true
    }

    /// The stored time precision (as in ``AuditEntry/canonicalForm(sequence:event:previousHash:)``).
    public static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}

/// The outcome of checking one realm's audit chain offline (``AuditVerifier``).
public struct AuditReport: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The realm whose chain was checked.
    public var realm: String
    /// Entries found intact before the first problem (all of them when valid).
    public var entriesChecked: Int
    /// Signed checkpoints verified against the chain before the first problem.
    public var checkpointsChecked: Int
    /// The sequence number of the first bad or missing entry; nil when the chain is intact.
    public var firstBadSequence: Int64?
    /// What is wrong with that entry, and the likely tampering; nil when the chain is intact.
    public var problem: String?

    /// A report; the defaults describe an empty, intact chain.
    public init(realm: String, entriesChecked: Int = 0, checkpointsChecked: Int = 0, firstBadSequence: Int64? = nil,
                problem: String? = nil) {
        self.realm = realm
        self.entriesChecked = entriesChecked
        self.checkpointsChecked = checkpointsChecked
        self.firstBadSequence = firstBadSequence
        self.problem = problem
    }

    /// True when no problem was found.
    public var isValid: Bool { problem == nil }

    /// One line for the CLI: `audit chain of realm acme: 1234 entries, 12 checkpoints verified`
    /// or `audit chain of realm acme BROKEN at entry 57: hash does not match its contents (a field was changed)`.
    public var description: String {
        guard let problem else {
            return "audit chain of realm \(realm): \(Self.count(entriesChecked, "entry", "entries")), "
                + "\(Self.count(checkpointsChecked, "checkpoint", "checkpoints")) verified"
        }
        let place = firstBadSequence.map { " at entry \($0)" } ?? ""
        return "audit chain of realm \(realm) BROKEN\(place): \(problem)"
    }

    private static func count(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
}

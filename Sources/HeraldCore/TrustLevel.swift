/// A graduated trust level, L0 (untrusted) to L4 (full access).
///
/// Levels come from directory roles named `mcps-l0` … `mcps-l4` (wire-formats §2).
public enum TrustLevel: Int, Sendable, Hashable, Comparable, CaseIterable, Codable, CustomStringConvertible {
    case l0 = 0, l1, l2, l3, l4

    /// The role prefix a directory uses for level roles.
    public static let rolePrefix = "mcps-l"

    /// Parses a level role such as `mcps-l3`; nil for any other role.
    public init?(role: String) {
        guard role.hasPrefix(Self.rolePrefix),
              let digit = Int(role.dropFirst(Self.rolePrefix.count)),
              role.count == Self.rolePrefix.count + 1,
              let level = TrustLevel(rawValue: digit)
        else { return nil }
        self = level
    }

    /// Parses the short form used in realm files, `L0` … `L4`.
    public init?(name: String) {
        guard name.count == 2, name.first == "L" || name.first == "l",
              let digit = Int(name.dropFirst()), let level = TrustLevel(rawValue: digit)
        else { return nil }
        self = level
    }

    /// `L0` … `L4`.
    public var name: String { "L\(rawValue)" }
    /// `mcps-l0` … `mcps-l4`.
    public var role: String { "\(Self.rolePrefix)\(rawValue)" }
    public var description: String { name }

    public static func < (lhs: TrustLevel, rhs: TrustLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A bound on YAML aliases (`*name`), checked on the text before Yams composes it.
///
/// An alias stands for its anchored node, so a few lines of aliases to aliases describe a
/// tree of 9^9 nodes ("billion laughs"). Yams shares the aliased nodes, but its duplicate-key
/// check hashes every mapping key whole: a key that is an alias of such a tree took minutes
/// of CPU (a 400-byte realm document stalled `herald realm validate` and the admin API's
/// realm import; found while fuzzing the realm loader). Realm files need few aliases, if
/// any, and the cost of the worst arrangement of `n` aliases grows like 3^(n/3), so a small
/// limit keeps it harmless.
enum YAMLAliasLimit {
    /// The most aliases a realm file may use: at worst a few thousand node visits.
    static let maximum = 32

    /// The line (1-based) of the first alias beyond ``maximum``, or nil when there are at
    /// most that many.
    ///
    /// Counted on the text, conservatively: a `*` where a YAML node can start (at the start
    /// of a line or after white space, `[`, `{`, `,` or `:`) counts, even inside a quoted or
    /// block scalar, so a real alias is never missed; a file only fails the count when it
    /// has more than ``maximum`` of these.
    static func lineOfExcessAlias(in text: String) -> Int? {
        var count = 0
        var line = 1
        var previous: UInt8 = UInt8(ascii: "\n")
        for byte in text.utf8 {
            if byte == UInt8(ascii: "*") {
                switch previous {
                case UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: " "), UInt8(ascii: "\t"),
                     UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: ","), UInt8(ascii: ":"):
                    count += 1
                    if count > maximum { return line }
                default: break
                }
            }
            if byte == UInt8(ascii: "\n") { line += 1 }
            previous = byte
        }
        return nil
    }
}

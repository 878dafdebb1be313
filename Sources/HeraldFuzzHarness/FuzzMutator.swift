/// A small deterministic mutator for the replay test's random-input loop: libFuzzer is not
/// linked into `swift test`, so the test mutates the committed corpus itself, seeded, so a
/// failure reproduces on every run.
public struct FuzzMutator: Sendable {
    private var state: UInt64
    /// Tokens worth splicing in (the JSON and JOSE dictionaries' essentials).
    private static let tokens: [[UInt8]] = [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud800", "\\udc00", "null", "true", "false", "-0",
        "9007199254740993", "1e3", "0.5", "\"signature\"", "\"alg\"", "\"none\"", "\"ES256\"", "\"EdDSA\"",
        "\"kid\"", "\"crit\"", ".", "%", "%zz", "%C3%A9", "+", "&", "=", "*", "(", ")", "\u{0}", "\n", "- ", ": ",
        "&a", "*a", "!!binary", "---", "\u{FEFF}", "\u{FFFF}", "\u{10FFFF}",
    ].map { Array($0.utf8) }

    /// A mutator whose choices follow from `seed` alone.
    public init(seed: UInt64) { state = seed }

    /// SplitMix64.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (`bound` > 0).
    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// `input` changed by one to four random edits; `other` is spliced in sometimes.
    public mutating func mutate(_ input: [UInt8], splicing other: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0...below(4) {
            switch below(8) {
            case 0 where !bytes.isEmpty:
                bytes[below(bytes.count)] ^= UInt8(1 << below(8))
            case 1 where !bytes.isEmpty:
                bytes[below(bytes.count)] = [0, 0x7F, 0x80, 0xFF, 0x22, 0x5C, 0x2E, 0x30][below(8)]
            case 2:
                bytes.insert(UInt8(truncatingIfNeeded: next()), at: below(bytes.count + 1))
            case 3 where !bytes.isEmpty:
                let start = below(bytes.count)
                bytes.removeSubrange(start..<min(bytes.count, start + 1 + below(16)))
            case 4 where !bytes.isEmpty:
                let start = below(bytes.count)
                let piece = bytes[start..<min(bytes.count, start + 1 + below(32))]
                bytes.insert(contentsOf: piece, at: below(bytes.count + 1))
            case 5 where !other.isEmpty:
                let start = below(other.count)
                let piece = other[start..<min(other.count, start + 1 + below(64))]
                bytes.insert(contentsOf: piece, at: below(bytes.count + 1))
            case 6:
                bytes.insert(contentsOf: Self.tokens[below(Self.tokens.count)], at: below(bytes.count + 1))
            case 7 where bytes.count > 1:
                bytes.removeSubrange(below(bytes.count)...)
            default:
                bytes.append(UInt8(truncatingIfNeeded: next()))
            }
        }
        return bytes
    }

    /// A stable 64-bit FNV-1a hash of `text`, to seed a mutator per target (`Hasher` is
    /// seeded per process, so it would not reproduce).
    public static func seed(for text: String) -> UInt64 {
        text.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }
}

/// One hand-written parser under fuzzing: a function that feeds it arbitrary bytes and
/// checks the properties that must hold for every input.
///
/// The libFuzzer driver (`Fuzz/`, `make fuzz`) and the corpus replay test (`make test`)
/// call the same `consume`, so an input that once broke a property keeps being checked.
/// Throwing errors from the parser is the expected outcome for most inputs; `consume`
/// throws only when a property is broken (a wrong error type, a round trip that is not
/// stable, a forged input that verifies). Crashes, traps and hangs are found by running it.
public struct FuzzTarget: Sendable {
    /// The name used for the corpus directory (`Fuzz/corpus/<name>/`) and on the command line.
    public let name: String
    /// What the target feeds and which properties it checks, for the results file.
    public let summary: String
    /// Feeds `bytes` to the parser and checks its properties.
    public let consume: @Sendable ([UInt8]) throws(FuzzPropertyViolation) -> Void

    public init(name: String, summary: String,
                consume: @escaping @Sendable ([UInt8]) throws(FuzzPropertyViolation) -> Void) {
        self.name = name
        self.summary = summary
        self.consume = consume
    }
}

/// A property a parser must keep for every input, broken by one.
public struct FuzzPropertyViolation: Error, Sendable, CustomStringConvertible {
    /// The target that found it.
    public let target: String
    /// What should have held and what happened instead.
    public let detail: String

    public init(_ target: String, _ detail: String) {
        self.target = target
        self.detail = detail
    }

    public var description: String { "\(target): \(detail)" }
}

extension FuzzTarget {
    /// Every target, in the order `make fuzz` runs them.
    public static let all: [FuzzTarget] = [
        .jcs, .base64url, .jws, .jwk, .mcps, .form, .realm, .ldap, .bundle, .statusList,
    ]

    /// The target called `name`, if there is one.
    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// The checks the targets share.
enum Check {
    /// Throws a violation of `target` unless `condition` holds.
    static func that(_ condition: Bool, _ target: String, _ detail: @autoclosure () -> String)
        throws(FuzzPropertyViolation) {
        if !condition { throw FuzzPropertyViolation(target, detail()) }
    }

    /// A short printable rendering of `bytes` for a violation message.
    static func show(_ bytes: some Collection<UInt8>) -> String {
        let prefix = bytes.prefix(160)
        let text = String(decoding: prefix, as: UTF8.self).debugDescription
        return bytes.count > prefix.count ? "\(text)… (\(bytes.count) bytes)" : text
    }

    /// Whether two strings are the same bytes: `==` on `String` compares canonical
    /// equivalence, which would hide a parser that rewrote a name into another form.
    static func same(_ lhs: String, _ rhs: String) -> Bool { lhs.utf8.elementsEqual(rhs.utf8) }
}

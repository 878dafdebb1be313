/// A parsed JSON object together with its canonical form without one top-level member,
/// when the text already was canonical (see ``JCSParser/parse(_:canonicalExcluding:)``).
/// Only the parser makes one, so the bytes always belong to the value.
public struct JCSDocument: Sendable {
    /// The parsed value.
    public let value: JCSValue
    /// The member left out of ``canonicalRest``.
    public let excludedMember: String
    /// The canonical bytes of `value` without `excludedMember`, cut from the text; nil when
    /// the text was not canonical and must be re-serialized.
    package let canonicalRest: [UInt8]?

    init(value: JCSValue, excludedMember: String, canonicalRest: [UInt8]?) {
        self.value = value
        self.excludedMember = excludedMember
        self.canonicalRest = canonicalRest
    }
}

/// One key of `herald.yaml`: where it sits, what it takes, its flag and environment
/// variable, its default and its documentation. ``ServerConfigKey/all`` is the one list the
/// parser, `herald config example`, `herald config check` and `herald serve` all read.
public struct ServerConfigKey: Sendable {
    /// What a key takes.
    public enum Kind: Sendable {
        /// Text; `check` returns what is wrong with a value, or nil.
        case text(check: @Sendable (String) -> String?)
        /// A file or directory; relative paths in the file resolve against the file's directory.
        case path
        /// true or false.
        case flag
        /// A list of text; `check` is applied to each item.
        case list(check: @Sendable (String) -> String?)
        /// One of a few words.
        case choice([String])
    }

    /// `section.name`, e.g. `server.listen`.
    public let path: String
    public let kind: Kind
    /// The `herald serve` option, e.g. `--listen`; nil when there is none.
    public let flag: String?
    /// The environment variable, e.g. `HERALD_LISTEN`.
    public let environment: String
    /// The value when nothing sets it; nil when it is derived (told in `defaultText`) or absent.
    public let defaultValue: ServerConfigValue?
    /// The default for people, e.g. `http://LISTEN` or `none`.
    public let defaultText: String
    /// One or two sentences for the docs and the example.
    public let help: String
    /// The value `herald config example` writes.
    public let example: ServerConfigValue
    /// Printed as `<redacted>` by `herald config check`.
    public let secret: Bool

    public init(_ path: String, _ kind: Kind, flag: String?, environment: String, default defaultValue: ServerConfigValue?,
                defaultText: String? = nil, example: ServerConfigValue, secret: Bool = false, help: String) {
        self.path = path
        self.kind = kind
        self.flag = flag
        self.environment = environment
        self.defaultValue = defaultValue
        self.defaultText = defaultText ?? defaultValue?.description ?? "none"
        self.example = example
        self.secret = secret
        self.help = help
    }

    public var section: String { String(path.split(separator: ".")[0]) }
    public var name: String { String(path.split(separator: ".").dropFirst().joined(separator: ".")) }

    /// The key at `path`.
    public static func named(_ path: String) -> ServerConfigKey? { all.first { $0.path == path } }

    /// The sections in the order the example and the docs list them.
    public static var sections: [String] {
        all.reduce(into: [String]()) { if !$0.contains($1.section) { $0.append($1.section) } }
    }
}

/// Where Herald's store lives, written as a URL: `sqlite:/var/lib/herald/herald.sqlite` (also
/// `sqlite:///var/lib/herald/herald.sqlite`, or `sqlite:herald.sqlite` relative to the working
/// directory). The scheme chooses the ``StoreBackend`` that opens it (``StoreBackends``).
///
/// Parsed once, at start-up, so a mistyped `--store` stops the server with a message that
/// says how to write it instead of failing later in a backend.
public struct StoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// The scheme, lowercased: `sqlite`.
    public let scheme: String
    /// Everything after `scheme:`, unchanged.
    public let remainder: String

    /// A location from its parts (no checks: for backends and tests).
    public init(scheme: String, remainder: String) {
        self.scheme = scheme.lowercased()
        self.remainder = remainder
    }

    /// Parses `scheme:rest`; throws ``HeraldError/Code/invalidConfiguration`` saying what to write.
    public init(parsing text: String) throws {
        let example = "write e.g. sqlite:/var/lib/herald/herald.sqlite"
        guard !text.isEmpty else { throw HeraldError(.invalidConfiguration, "the store location is empty; \(example)") }
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex,
              Self.isScheme(text[..<colon])
        else {
            throw HeraldError(.invalidConfiguration,
                              "store location '\(text)' has no scheme; write sqlite:\(text) for an SQLite file, or \(example)")
        }
        self.init(scheme: String(text[..<colon]), remainder: String(text[text.index(after: colon)...]))
        guard !remainder.isEmpty else {
            throw HeraldError(.invalidConfiguration, "store location '\(text)' names no database; \(example)")
        }
    }

    /// The SQLite file at `path`.
    public static func sqlite(path: String) -> StoreLocation { StoreLocation(scheme: "sqlite", remainder: path) }

    /// The file path of a location that names a local file: `scheme:PATH` or `scheme:///PATH`;
    /// nil when it names a host (`scheme://host/...`).
    public var filePath: String? {
        guard remainder.hasPrefix("//") else { return remainder }
        let afterSlashes = remainder.dropFirst(2)
        return afterSlashes.hasPrefix("/") ? String(afterSlashes) : nil
    }

    /// The location with any password in it replaced by `***`, fit for logs and errors.
    public var description: String {
        guard remainder.hasPrefix("//") else { return "\(scheme):\(remainder)" }
        let authority = remainder.dropFirst(2).prefix { $0 != "/" }
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else {
            return "\(scheme):\(remainder)"
        }
        let user = authority[..<colon], rest = remainder.dropFirst(2 + authority.count)
        return "\(scheme)://\(user):***\(authority[at...])\(rest)"
    }

    /// RFC 3986 §3.1: a letter, then letters, digits, `+`, `-` or `.`.
    private static func isScheme(_ text: Substring) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }
    }
}

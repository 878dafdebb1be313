/// One problem found in a realm file, located by file, line, column and key path.
public struct RealmFileIssue: Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int
    /// Dotted key path, e.g. `clients[2].auth`.
    public let path: String
    public let message: String

    public var description: String {
        let location = line > 0 ? "\(file):\(line):\(column)" : file
        return path.isEmpty ? "\(location): \(message)" : "\(location): \(path): \(message)"
    }
}

/// A realm file that cannot be used, with every problem found in it.
public struct RealmFileError: Error, Sendable, CustomStringConvertible {
    public let issues: [RealmFileIssue]

    public init(issues: [RealmFileIssue]) { self.issues = issues }

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

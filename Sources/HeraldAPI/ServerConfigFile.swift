import Foundation
import Yams

/// `herald.yaml`: the settings of `herald serve` in a file, validated like a realm file:
/// every unknown key, wrong type and bad value at once, each with its line, column and key.
///
/// Only the keys the file sets are in ``values``; flags and environment variables override
/// them (see `ServeSettings` in the CLI).
public struct ServerConfigFile: Sendable, Equatable {
    /// The file as given.
    public let file: String
    /// Values by key path (`server.listen`); paths are already resolved against the file's directory.
    public let values: [String: ServerConfigValue]
    /// The line each value was written on, for messages about it.
    public let lines: [String: Int]

    /// Reads and validates `path`; throws ``RealmFileError`` listing every problem.
    public static func load(path: String) throws -> ServerConfigFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RealmFileError(issues: [RealmFileIssue(file: path, line: 0, column: 0, path: "",
                                                         message: "cannot read the file; check the path given to --config or HERALD_CONFIG")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RealmFileError(issues: [RealmFileIssue(file: path, line: 0, column: 0, path: "", message: "the file is not UTF-8 text")])
        }
        return try parse(text: text, file: path, baseDirectory: (path as NSString).deletingLastPathComponent)
    }

    /// Validates `text`; relative paths in it resolve against `baseDirectory`.
    public static func parse(text: String, file: String, baseDirectory: String) throws -> ServerConfigFile {
        if let line = YAMLAliasLimit.lineOfExcessAlias(in: text) {
            throw RealmFileError(issues: [RealmFileIssue(file: file, line: line, column: 0, path: "",
                                                         message: "more than \(YAMLAliasLimit.maximum) YAML aliases (*name); write the values out")])
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw RealmFileError(issues: [RealmFileLoader.issue(for: error, file: file)])
        }
        // An empty file (or one of comments) sets nothing: every default holds.
        guard let root, root.null == nil else { return ServerConfigFile(file: file, values: [:], lines: [:]) }
        let reader = YAMLReader(file: file)
        var values: [String: ServerConfigValue] = [:]
        var lines: [String: Int] = [:]
        if let sections = reader.mapping(root, "", allowed: ServerConfigKey.sections) {
            for (section, node) in sections {
                // A section with every key commented out (`tls:` and nothing under it) sets nothing.
                if node.null != nil { continue }
                let keys = ServerConfigKey.all.filter { $0.section == section }
                guard let members = reader.mapping(node, section, allowed: keys.map(\.name)) else { continue }
                for key in keys {
                    guard let node = members[key.name], let value = read(node, key, reader, baseDirectory) else { continue }
                    values[key.path] = value
                    lines[key.path] = node.mark?.line ?? 0
                }
            }
        }
        guard reader.issues.isEmpty else {
            throw RealmFileError(issues: reader.issues.sorted { ($0.line, $0.column, $0.path) < ($1.line, $1.column, $1.path) })
        }
        return ServerConfigFile(file: file, values: values, lines: lines)
    }

    private static func read(_ node: Node, _ key: ServerConfigKey, _ reader: YAMLReader, _ base: String) -> ServerConfigValue? {
        switch key.kind {
        case .text(let check):
            guard let text = reader.string(node, key.path) else { return nil }
            if let problem = check(text) {
                reader.issue(node, key.path, problem)
                return nil
            }
            return .string(text)
        case .path:
            guard let text = reader.string(node, key.path) else { return nil }
            guard !text.isEmpty else {
                reader.issue(node, key.path, "empty; write a path, or leave the key out for the default \(key.defaultText)")
                return nil
            }
            return .string(text.hasPrefix("/") || base.isEmpty ? text : (base as NSString).appendingPathComponent(text))
        case .flag:
            return reader.bool(node, key.path).map(ServerConfigValue.bool)
        case .list(let check):
            guard let items = reader.strings(node, key.path) else { return nil }
            var ok = true
            for (index, item) in items.enumerated() {
                if let problem = check(item) {
                    reader.issue(node, "\(key.path)[\(index)]", problem)
                    ok = false
                }
            }
            return ok ? .strings(items) : nil
        case .choice(let words):
            guard let text = reader.string(node, key.path) else { return nil }
            guard words.contains(text) else {
                reader.issue(node, key.path, "'\(text)' is not allowed\(Suggestion.hint(for: text, in: words))")
                return nil
            }
            return .string(text)
        }
    }
}

import HeraldCore
import Yams

/// Walks a composed YAML tree, collecting located issues instead of stopping at the first.
/// Each accessor returns nil (and records why) when the value is missing or malformed.
final class YAMLReader {
    let file: String
    /// The text is JSON, read as YAML: a string must be a JSON string (a quoted scalar), not a
    /// JSON `false` or `5` standing for the text "false" or "5". (Booleans stay as in YAML:
    /// the realm file spells some as the words `on` and `off`, which JSON writes as strings.)
    let json: Bool
    private(set) var issues: [RealmFileIssue] = []

    init(file: String, json: Bool = false) {
        self.file = file
        self.json = json
    }

    func issue(_ node: Node?, _ path: String, _ message: String) {
        issues.append(RealmFileIssue(file: file, line: node?.mark?.line ?? 0, column: node?.mark?.column ?? 0,
                                     path: path, message: message))
    }

    /// The mapping's members, after checking every key is one of `allowed` and none repeats.
    func mapping(_ node: Node, _ path: String, allowed: [String]) -> [String: Node]? {
        guard case .mapping(let mapping) = node else {
            issue(node, path, "expected a mapping with keys \(allowed.joined(separator: ", "))")
            return nil
        }
        var members: [String: Node] = [:]
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            if members[key] != nil {
                issue(keyNode, keyPath, "key appears twice; keep one")
            } else if !allowed.isEmpty && !allowed.contains(key) {
                issue(keyNode, keyPath, "unknown key\(Suggestion.hint(for: key, in: allowed))")
            } else {
                members[key] = value
            }
        }
        return members
    }

    /// A mapping with arbitrary string keys (tools, levels), in file order.
    func entries(_ node: Node, _ path: String) -> [(key: String, keyNode: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            issue(node, path, "expected a mapping")
            return nil
        }
        return mapping.map { (key: $0.key.string ?? "", keyNode: $0.key, value: $0.value) }
    }

    func sequence(_ node: Node, _ path: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            issue(node, path, "expected a list")
            return nil
        }
        return Array(sequence)
    }

    func string(_ node: Node, _ path: String, pattern: String? = nil, hint: String = "") -> String? {
        // A plain `null`, `~` or nothing is YAML's null, not the text "null" (a JSON null
        // from the admin API arrives as such a scalar).
        guard case .scalar(let scalar) = node, node.null == nil, !json || scalar.style != .plain else {
            issue(node, path, "expected a string")
            return nil
        }
        if let pattern, scalar.string.wholeMatch(of: try! Regex(pattern)) == nil {
            issue(node, path, "'\(scalar.string)' is not valid\(hint.isEmpty ? "" : ": \(hint)")")
            return nil
        }
        return scalar.string
    }

    func strings(_ node: Node, _ path: String, pattern: String? = nil, hint: String = "") -> [String]? {
        guard let items = sequence(node, path) else { return nil }
        let values = items.enumerated().map { string($1, "\(path)[\($0)]", pattern: pattern, hint: hint) }
        return values.contains(where: { $0 == nil }) ? nil : values.compactMap { $0 }
    }

    func int(_ node: Node, _ path: String, range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string), scalar.style == .plain else {
            issue(node, path, "expected a whole number")
            return nil
        }
        guard range.contains(value) else {
            issue(node, path, "\(value) is outside \(range.lowerBound)…\(range.upperBound)")
            return nil
        }
        return value
    }

    func bool(_ node: Node, _ path: String) -> Bool? {
        switch (node.string ?? "").lowercased() {
        case "true", "on", "yes": return true
        case "false", "off", "no": return false
        default:
            issue(node, path, "expected true or false")
            return nil
        }
    }

    func choice<T>(_ node: Node, _ path: String, _ options: [String: T]) -> T? {
        guard let text = string(node, path) else { return nil }
        if let value = options[text] { return value }
        issue(node, path, "'\(text)' is not allowed\(Suggestion.hint(for: text, in: options.keys.sorted()))")
        return nil
    }

    func duration(_ node: Node, _ path: String, atLeast minimum: Int, atMost maximum: Int) -> Int? {
        guard let text = string(node, path) else { return nil }
        guard let seconds = DurationText.seconds(text) else {
            issue(node, path, "'\(text)' is not a duration; write a whole number and a unit, e.g. 45s, 5m, 12h, 30d")
            return nil
        }
        guard seconds >= minimum, seconds <= maximum else {
            issue(node, path, "\(text) is outside \(DurationText.format(minimum))…\(DurationText.format(maximum))")
            return nil
        }
        return seconds
    }

    func level(_ node: Node, _ path: String) -> TrustLevel? {
        guard let text = string(node, path) else { return nil }
        guard let level = TrustLevel(name: text) else {
            issue(node, path, "'\(text)' is not a level; write L0, L1, L2, L3 or L4")
            return nil
        }
        return level
    }
}

extension RealmConfig {
    /// The minimum level for `tool` (`server/tool`) at the MCP trust gate: its own entry, else
    /// the most specific pattern that matches it (`*` stands for any run of characters, so
    /// `payments-mcp/*` covers every tool of that server), else ``defaultToolLevel``. Nil:
    /// the tool is denied.
    public func minimumLevel(forTool tool: String) -> TrustLevel? {
        if let exact = tools[tool] { return exact }
        let matching = tools.filter { $0.key.contains("*") && Self.glob($0.key, matches: tool) }
        // Most literal characters first; ties broken by name so the answer is stable.
        let best = matching.max { lhs, rhs in
            let (l, r) = (lhs.key.filter { $0 != "*" }.count, rhs.key.filter { $0 != "*" }.count)
            return l != r ? l < r : lhs.key > rhs.key
        }
        return best?.value ?? defaultToolLevel
    }

    /// Whether `pattern`, where `*` matches any run of characters (none included), matches all of `text`.
    public static func glob(_ pattern: String, matches text: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false)
        guard parts.count > 1 else { return pattern == text }
        var rest = Substring(text)
        guard rest.hasPrefix(parts[0]) else { return false }
        rest = rest.dropFirst(parts[0].count)
        for part in parts.dropFirst().dropLast() {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return rest.hasSuffix(parts.last!)
    }
}

import HeraldCore

extension MCPGateEndpoint {
    /// The `tool` label of a gate decision: the tool when the realm lists it, else the pattern
    /// that matched it (`payments-mcp/*`), else `other`. The label set is then bounded by the
    /// realm files, whatever tool names callers send.
    static func toolLabel(_ tool: String, in config: RealmConfig) -> String {
        if config.tools[tool] != nil { return tool }
        let patterns = config.tools.keys.filter { $0.contains("*") && RealmConfig.glob($0, matches: tool) }
        // The pattern minimumLevel(forTool:) picks: most literal characters, ties by name.
        return patterns.max { lhs, rhs in
            let (l, r) = (lhs.filter { $0 != "*" }.count, rhs.filter { $0 != "*" }.count)
            return l != r ? l < r : lhs > rhs
        } ?? "other"
    }
}

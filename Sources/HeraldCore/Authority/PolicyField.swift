/// What a policy condition looks at: a member of ``PolicyRequest``, named as in the realm
/// file's `when:` mapping.
public enum PolicyField: String, Sendable, Hashable, Codable, CaseIterable {
    /// `capability` or `gate`: where the request is evaluated.
    case on
    case agent, org, level, score, stage
    /// How many agents act between the client and the agent (the `act` chain's length).
    case delegationDepth = "delegation_depth"
    /// A capability's authorization details type; `mcp` at the gate.
    case type
    /// A capability's action; the tool name at the gate.
    case action
    /// A capability's `identifier`; `server/tool` at the gate.
    case resource
    /// A capability's resource server; the MCP server id at the gate.
    case location
    case amount, currency
    /// Time of day, in a time zone.
    case time

    /// The fields compared as numbers (`level` as 0…4).
    public var isNumeric: Bool { [.level, .score, .delegationDepth, .amount].contains(self) }
}

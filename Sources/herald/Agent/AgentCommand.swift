import ArgumentParser
import HeraldCore

/// `herald agent …`: the realm's static-directory agents.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "List, show, create and remove agents of the static directory.",
        subcommands: [AgentListCommand.self, AgentShowCommand.self, AgentCreateCommand.self, AgentRemoveCommand.self,
                      AgentAdvanceCommand.self, AgentSuspendCommand.self, AgentRevokeCommand.self,
                      AgentRegisterCodeCommand.self, AgentHistoryCommand.self, AgentExplainCommand.self])
}

/// Rendering of agents, and the checks shared by the agent verbs.
enum AgentTable {
    static func render(_ json: JSONValue) -> String {
        let rows = (json["agents"]?.array ?? []).map { agent in
            [agent["id"]?.cell ?? "", agent["name"]?.cell ?? "", agent["org"]?.cell ?? "", agent["roles"]?.cell ?? "",
             agent["groups"]?.cell ?? "", agent["trust_level"]?.cell ?? ""]
        }
        return renderTable(["ID", "NAME", "ORG", "ROLES", "GROUPS", "LEVEL"], rows)
    }

    /// One agent as `key: value` lines, the known fields first.
    static func renderOne(_ agent: JSONValue) -> String {
        let known = ["id", "name", "org", "roles", "groups", "effective_roles", "code_hash", "trust_level"]
        let members = agent.object ?? [:]
        let keys = known.filter { members[$0] != nil } + members.keys.filter { !known.contains($0) }.sorted()
        return renderTable(["FIELD", "VALUE"], keys.map { [$0, members[$0]?.cell ?? ""] })
            .split(separator: "\n").dropFirst().joined(separator: "\n")
    }

    /// Agent ids as the realm file allows them.
    static func checkAgentID(_ id: String) throws {
        guard (1...128).contains(id.count), !id.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw ValidationError("agent ids are 1–128 characters without spaces or '/', not '\(id)'")
        }
    }

    /// Roles must be visible text; `mcps-l*` roles must name a level.
    static func checkRoles(_ roles: [String]) throws {
        for role in roles where role.hasPrefix(TrustLevel.rolePrefix) && TrustLevel(role: role) == nil {
            throw ValidationError("'\(role)' looks like a level role but only mcps-l0…mcps-l4 exist")
        }
    }
}

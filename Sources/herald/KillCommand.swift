import ArgumentParser

/// `herald kill …`: the kill switch (wire-formats §9).
struct KillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill", abstract: "Stop an agent or a whole organisation from the next request on.",
        discussion: """
            From the moment the command returns: the token endpoint denies, introspection answers \
            active: false, MCPS /api/verify answers REVOKED, the status list marks SUSPENDED and \
            the MCP gate answers DENY. `herald revive` undoes it; the pipeline stage is untouched.
            """,
        subcommands: [KillAgentCommand.self, KillOrgCommand.self])
}

/// Rendering and checks shared by `kill` and `revive`.
enum KillSwitchView {
    /// An organisation's kill state: `{"org","killed","reason","killed_at","agents"}`.
    static func org(_ json: JSONValue) -> String {
        let name = json["org"]?.cell ?? "?"
        let agents = json["agents"]?.array?.map(\.cell) ?? []
        let known = agents.isEmpty ? "none seen yet" : agents.joined(separator: ", ")
        if json["killed"] == .bool(true) {
            return "organisation \(name) is killed (\(json["reason"]?.cell ?? "")) since \(json["killed_at"]?.cell ?? "?")"
                + ": every agent of \(name) is refused (agents seen so far: \(known))"
        }
        return "organisation \(name) is running (agents seen so far: \(known))"
    }

    /// One agent's kill state from its lifecycle object.
    static func agent(_ json: JSONValue) -> String {
        let id = json["agent_id"]?.cell ?? "?"
        var line: String
        if let kill = json["kill"], kill != .null {
            line = "agent \(id) is killed (\(kill["reason"]?.cell ?? "")) since \(kill["at"]?.cell ?? "?")"
        } else {
            line = "agent \(id) is not killed"
        }
        if let org = json["org_killed"], org != .null {
            line += "; its organisation \(org["org"]?.cell ?? "?") is killed (\(org["reason"]?.cell ?? ""))"
        }
        return line + "\n" + LifecycleView.summary(json)
    }

    /// Organisation names as the realm file writes them.
    static func checkOrg(_ org: String) throws {
        guard (1...128).contains(org.count), !org.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw ValidationError("organisation names are 1–128 characters without spaces or '/', not '\(org)'")
        }
    }
}

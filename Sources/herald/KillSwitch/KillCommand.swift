import ArgumentParser
import HeraldAPI

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
    /// An organisation's kill state.
    static func org(_ state: AdminOrgKill) -> String {
        let name = state.org
        let known = state.agents.isEmpty ? "none seen yet" : state.agents.joined(separator: ", ")
        if state.killed {
            return "organisation \(name) is killed (\(state.reason ?? "")) since \(state.killedAt ?? "?")"
                + ": every agent of \(name) is refused (agents seen so far: \(known))"
        }
        return "organisation \(name) is running (agents seen so far: \(known))"
    }

    /// One agent's kill state from its lifecycle object.
    static func agent(_ record: AdminLifecycle) -> String {
        var line: String
        if let kill = record.kill {
            line = "agent \(record.agentID) is killed (\(kill.reason)) since \(kill.at)"
        } else {
            line = "agent \(record.agentID) is not killed"
        }
        if let org = record.orgKilled {
            line += "; its organisation \(org.org) is killed (\(org.reason))"
        }
        return line + "\n" + LifecycleView.summary(record)
    }

    /// Organisation names as the realm file writes them.
    static func checkOrg(_ org: String) throws {
        guard (1...128).contains(org.count), !org.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw ValidationError("organisation names are 1–128 characters without spaces or '/', not '\(org)'")
        }
    }
}

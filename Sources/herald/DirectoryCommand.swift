import ArgumentParser

/// `herald directory …`: the realm's LDAP directory, as the server sees it.
struct DirectoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory", abstract: "Explain an LDAP agent's level, or synchronise the LDAP directory now.",
        subcommands: [DirectoryTestCommand.self, DirectorySyncCommand.self])
}

/// Rendering of `GET /admin/realms/{r}/directory/agents/{id}`.
enum DirectoryReport {
    static func render(_ json: JSONValue) -> String {
        var lines: [String] = []
        let bind = json["bind"]
        lines.append("bind:      \(bind?["result"]?.cell ?? "?") as \(bind?["dn"]?.cell ?? "?") "
            + "(\(json["directory"]?["url"]?.cell ?? ""), mode \(json["directory"]?["mode"]?.cell ?? ""))")
        let agent = json["agent"]?.cell ?? ""
        guard json["found"] == .bool(true), let dn = json["dn"]?.string else {
            let entries = json["entries"]?.int ?? 0
            lines.append("entry:     " + (entries > 1 ? "\(entries) entries match \(agent); it gets no token"
                                                       : "no entry for \(agent)"))
            lines.append("token:     \(json["token"]?.cell ?? "denied")")
            return lines.joined(separator: "\n")
        }
        lines.append("entry:     \(dn)" + (json["disabled"] == .bool(true) ? "  (DISABLED by disabled_filter)" : ""))
        let groups = json["groups"]?.array ?? []
        if groups.isEmpty { lines.append("groups:    none") } else {
            lines.append("groups:")
            for group in groups {
                let path = (group["path"]?.array ?? []).compactMap(\.string).map(Self.name)
                let via = path.count > 1 ? "  via " + path.joined(separator: " → ") : (path.isEmpty ? "" : "  (direct)")
                lines.append("  \(group["name"]?.cell ?? "")  \(group["dn"]?.cell ?? "")\(via)")
            }
        }
        for mapping in json["mapped"]?.array ?? [] {
            lines.append("mapping:   \(mapping["group"]?.cell ?? "") → \(mapping["role"]?.cell ?? "")")
        }
        lines.append("roles:     \(json["roles"]?.cell ?? "")")
        lines.append("level:     \(json["trust_level"]?.cell ?? "")")
        lines.append("mcps:      \(json["mcps"]?.rendered(pretty: false) ?? "{}")")
        lines.append("token:     \(json["token"]?.cell ?? "")")
        lines.append("cost:      \(json["round_trips"]?.cell ?? "?") LDAP round trips")
        return lines.joined(separator: "\n")
    }

    /// `cn=team-a,ou=groups,…` → `team-a`.
    static func name(_ dn: String) -> String {
        guard let equals = dn.firstIndex(of: "=") else { return dn }
        let rest = dn[dn.index(after: equals)...]
        return String(rest.prefix { $0 != "," })
    }
}

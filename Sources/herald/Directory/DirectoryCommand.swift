import ArgumentParser
import HeraldAPI

/// `herald directory …`: the realm's LDAP directory, as the server sees it.
struct DirectoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory", abstract: "Explain an LDAP agent's level, or synchronise the LDAP directory now.",
        subcommands: [DirectoryTestCommand.self, DirectorySyncCommand.self])
}

/// Rendering of `GET /admin/realms/{r}/directory/agents/{id}`.
enum DirectoryReport {
    static func render(_ report: AdminDirectoryExplanation) -> String {
        var lines: [String] = []
        lines.append("bind:      \(report.bind.result) as \(report.bind.dn) "
            + "(\(report.directory.url), mode \(report.directory.mode))")
        guard report.found, let dn = report.dn else {
            lines.append("entry:     " + (report.entries > 1 ? "\(report.entries) entries match \(report.agent); it gets no token"
                                                             : "no entry for \(report.agent)"))
            lines.append("token:     \(report.token)")
            return lines.joined(separator: "\n")
        }
        lines.append("entry:     \(dn)" + (report.disabled ? "  (DISABLED by disabled_filter)" : ""))
        let groups = report.groups ?? []
        if groups.isEmpty { lines.append("groups:    none") } else {
            lines.append("groups:")
            for group in groups {
                let path = group.path.map(Self.name)
                let via = path.count > 1 ? "  via " + path.joined(separator: " → ") : (path.isEmpty ? "" : "  (direct)")
                lines.append("  \(group.name)  \(group.dn)\(via)")
            }
        }
        for mapping in report.mapped ?? [] {
            lines.append("mapping:   \(mapping.group) → \(mapping.role)")
        }
        lines.append("roles:     \((report.roles ?? []).joined(separator: ","))")
        lines.append("level:     \(report.trustLevel ?? "")")
        lines.append("mcps:      \(report.mcps.flatMap { try? JSONValue(encoding: $0).rendered(pretty: false) } ?? "{}")")
        lines.append("token:     \(report.token)")
        lines.append("cost:      \(report.roundTrips) LDAP round trips")
        return lines.joined(separator: "\n")
    }

    /// `cn=team-a,ou=groups,…` → `team-a`.
    static func name(_ dn: String) -> String {
        guard let equals = dn.firstIndex(of: "=") else { return dn }
        let rest = dn[dn.index(after: equals)...]
        return String(rest.prefix { $0 != "," })
    }
}

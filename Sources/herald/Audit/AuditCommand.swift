import ArgumentParser
import Foundation

/// `herald audit …`: the realm's tamper-evident audit log.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Read the audit log; verify its chain offline.",
        subcommands: [AuditTailCommand.self, AuditQueryCommand.self, AuditVerifyCommand.self])
}

/// Rendering of audit entries, and the checks shared by the audit verbs.
enum AuditTable {
    static func render(_ entries: [JSONValue]) -> String {
        renderTable(["SEQ", "TIME", "TYPE", "ACTOR", "AGENT", "CLIENT", "REASON"], entries.map { entry in
            [entry["seq"]?.cell ?? "", entry["time"]?.cell ?? "", entry["type"]?.cell ?? "", entry["actor"]?.cell ?? "",
             entry["agent"]?.cell ?? "", entry["client"]?.cell ?? "", entry["reason"]?.cell ?? ""]
        })
    }

    /// `text` (RFC 3339, with or without fractional seconds or an offset) as the server
    /// takes it: whole seconds in UTC, e.g. 2026-11-23T10:00:00Z; nil when it is not a time.
    static func timestamp(_ text: String) -> String? {
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = plain.date(from: text) ?? fractional.date(from: text) else { return nil }
        return plain.string(from: date)
    }
}

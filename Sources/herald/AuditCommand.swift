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

    /// True when `text` is an RFC 3339 date-time (with or without fractional seconds).
    static func isTimestamp(_ text: String) -> Bool {
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return plain.date(from: text) != nil || fractional.date(from: text) != nil
    }
}

import Foundation
import ArgumentParser
import HeraldAPI
import HeraldCore

/// Rendering of the admin API's agent lifecycle object (`GET …/agents/{id}/lifecycle` and
/// the answers of the lifecycle verbs), and the checks the lifecycle verbs share.
enum LifecycleView {
    /// One line after a change: the stage now, what may come next, the level now.
    static func summary(_ record: AdminLifecycle) -> String {
        var line = "agent \(record.agentID) is \(record.pipelineStage)"
        let next = record.allowedNext
        line += next.isEmpty ? " (no further stage)" : " (next: \(next.joined(separator: ", ")))"
        line += "; trust score \(record.trustScore), level \(record.trustLevel)"
        if let refusal = record.refusal { line += "; refused: \(refusal)" }
        return line
    }

    /// The latest gate as `FROM → TO by APPROVER`, if any.
    static func lastGate(_ record: AdminLifecycle) -> String? {
        guard let gate = record.gates.last else { return nil }
        return "\(gate.from) → \(gate.to) by \(gate.approver)"
    }

    /// `sha256:` and the first 12 hex digits, for tables.
    static func shortHash(_ value: String?) -> String {
        guard let hash = value else { return "" }
        let prefix = "sha256:"
        guard hash.hasPrefix(prefix), hash.count > prefix.count + 12 else { return hash }
        return String(hash.prefix(prefix.count + 12)) + "…"
    }

    /// The gates as a table: time, from → to, approver, code hash (short), reason.
    static func history(_ record: AdminLifecycle) -> String {
        let stage = record.pipelineStage
        guard !record.gates.isEmpty else { return "agent \(record.agentID) has passed no gate (stage \(stage))" }
        let rows = record.gates.map { gate in
            [gate.at, "\(gate.from) → \(gate.to)", gate.approver, shortHash(gate.codeHash), gate.reason ?? ""]
        }
        return renderTable(["AT", "GATE", "APPROVER", "CODE HASH", "REASON"], rows) + "\nstage now: \(stage)"
    }

    /// The score explained: every component, the total, and how the level follows.
    static func explain(_ record: AdminLifecycle) -> String {
        let components = record.scoreComponents
        let rows = components.map { component in
            [component.name, String(component.weight), String(component.value), String(component.points), component.basis]
        }
        let sum = components.reduce(0) { $0 + $1.points }
        let weights = components.reduce(0) { $0 + $1.weight }
        var total = "= trust score \(record.trustScore)"
        if record.trustScore != sum { total += " (the server's score differs from the sum of the points)" }
        var lines = ["agent \(record.agentID)" + (record.org.map { " (org \($0))" } ?? "")
            + ": stage \(record.pipelineStage)"]
        lines.append(renderTable(["COMPONENT", "WEIGHT", "VALUE", "POINTS", "BASIS"],
                                 rows + [["total", String(weights), "", String(sum), total]]))
        lines.append("points = round(weight × value / 100); the score is the sum of the points")
        let policy = record.trustPolicy
        lines.append("level: directory \(record.directoryLevel) → effective \(record.trustLevel)"
            + " (trust_policy pipeline: \(policy.pipeline), earned_levels: \(policy.earnedLevels))")
        if let refusal = record.refusal { lines.append("refused: \(refusal)") }
        return lines.joined(separator: "\n")
    }

    /// The part of the lifecycle object `agent explain --output json` prints.
    static func explanation(_ json: JSONValue) -> JSONValue {
        let keys = ["agent_id", "org", "pipeline_stage", "trust_score", "score_components", "directory_level",
                    "trust_level", "trust_policy", "refusal", "killed", "org_killed"]
        return .object(Dictionary(uniqueKeysWithValues: keys.map { ($0, json[$0] ?? .null) }))
    }

    /// A stage name as the server spells it: DEV_APPROVED from dev-approved, dev_approved…
    static func stageName(_ text: String) -> String {
        text.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// `sha256:` and 64 lowercase hex digits, as the admin API requires.
    static func checkCodeHash(_ value: String) throws {
        let prefix = "sha256:"
        let hex = value.hasPrefix(prefix) ? value.dropFirst(prefix.count) : ""
        guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw ValidationError("--code-hash must be sha256: followed by 64 lowercase hex digits "
                + "(e.g. the output of `sha256sum`), not '\(value)'")
        }
    }

    /// A free-text option (reason, approver): present, one line, not too long.
    static func checkText(_ value: String, _ option: String, limit: Int = 512) throws {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw ValidationError("\(option) must not be empty") }
        guard value.count <= limit, !value.contains(where: \.isNewline) else {
            throw ValidationError("\(option) must be one line of at most \(limit) characters")
        }
    }

    /// Hints for refusals of the lifecycle endpoints.
    static func hints(_ id: String, realm: String) -> [Int: String] {
        [404: "no such agent in realm \(realm); `herald agent list --realm \(realm)` shows them",
         409: "`herald agent history \(id) --realm \(realm)` shows its stage and gates"]
    }
}

import Foundation
import ArgumentParser
import HeraldCore

/// Rendering of the admin API's agent lifecycle object (`GET …/agents/{id}/lifecycle` and
/// the answers of the lifecycle verbs), and the checks the lifecycle verbs share.
enum LifecycleView {
    /// One line after a change: the stage now, what may come next, the level now.
    static func summary(_ json: JSONValue) -> String {
        let id = json["agent_id"]?.cell ?? "?"
        var line = "agent \(id) is \(json["pipeline_stage"]?.cell ?? "?")"
        let next = json["allowed_next"]?.array?.map(\.cell) ?? []
        line += next.isEmpty ? " (no further stage)" : " (next: \(next.joined(separator: ", ")))"
        line += "; trust score \(json["trust_score"]?.cell ?? "?"), level \(json["trust_level"]?.cell ?? "?")"
        if let refusal = json["refusal"]?.string { line += "; refused: \(refusal)" }
        return line
    }

    /// The latest gate as `FROM → TO by APPROVER`, if any.
    static func lastGate(_ json: JSONValue) -> String? {
        guard let gate = json["gates"]?.array?.last else { return nil }
        return "\(gate["from"]?.cell ?? "?") → \(gate["to"]?.cell ?? "?") by \(gate["approver"]?.cell ?? "?")"
    }

    /// `sha256:` and the first 12 hex digits, for tables.
    static func shortHash(_ value: JSONValue?) -> String {
        guard let hash = value?.string else { return "" }
        let prefix = "sha256:"
        guard hash.hasPrefix(prefix), hash.count > prefix.count + 12 else { return hash }
        return String(hash.prefix(prefix.count + 12)) + "…"
    }

    /// The gates as a table: time, from → to, approver, code hash (short), reason.
    static func history(_ json: JSONValue) -> String {
        let gates = json["gates"]?.array ?? []
        let stage = json["pipeline_stage"]?.cell ?? "?"
        guard !gates.isEmpty else { return "agent \(json["agent_id"]?.cell ?? "?") has passed no gate (stage \(stage))" }
        let rows = gates.map { gate in
            [gate["at"]?.cell ?? "", "\(gate["from"]?.cell ?? "?") → \(gate["to"]?.cell ?? "?")", gate["approver"]?.cell ?? "",
             shortHash(gate["code_hash"]), gate["reason"]?.cell ?? ""]
        }
        return renderTable(["AT", "GATE", "APPROVER", "CODE HASH", "REASON"], rows) + "\nstage now: \(stage)"
    }

    /// The score explained: every component, the total, and how the level follows.
    static func explain(_ json: JSONValue) -> String {
        let components = json["score_components"]?.array ?? []
        let rows = components.map { component in
            [component["name"]?.cell ?? "", component["weight"]?.cell ?? "", component["value"]?.cell ?? "",
             component["points"]?.cell ?? "", component["basis"]?.cell ?? ""]
        }
        let sum = components.reduce(Int64(0)) { $0 + ($1["points"]?.int ?? 0) }
        let weights = components.reduce(Int64(0)) { $0 + ($1["weight"]?.int ?? 0) }
        let score = json["trust_score"]?.int
        var total = "= trust score \(score.map(String.init) ?? "?")"
        if score != sum { total += " (the server's score differs from the sum of the points)" }
        var lines = ["agent \(json["agent_id"]?.cell ?? "?")"
            + (json["org"]?.string.map { " (org \($0))" } ?? "")
            + ": stage \(json["pipeline_stage"]?.cell ?? "?")"]
        lines.append(renderTable(["COMPONENT", "WEIGHT", "VALUE", "POINTS", "BASIS"],
                                 rows + [["total", String(weights), "", String(sum), total]]))
        lines.append("points = round(weight × value / 100); the score is the sum of the points")
        let policy = json["trust_policy"]
        lines.append("level: directory \(json["directory_level"]?.cell ?? "?") → effective \(json["trust_level"]?.cell ?? "?")"
            + " (trust_policy pipeline: \(policy?["pipeline"]?.cell ?? "?"), earned_levels: \(policy?["earned_levels"]?.cell ?? "?"))")
        if let refusal = json["refusal"]?.string { lines.append("refused: \(refusal)") }
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

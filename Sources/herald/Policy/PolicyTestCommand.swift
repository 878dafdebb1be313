import ArgumentParser
import Foundation
import HeraldAPI
import HeraldCore
import HeraldServices

/// `herald policy test`: evaluates a request against a realm file's `policy` offline, the way
/// the server does on a capability request or at the MCP gate, and explains the decision:
/// every rule tried, why each did not match, and the one that decided.
struct PolicyTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Offline: evaluate a request against a realm file's policy and explain it.",
        discussion: """
            The request is a JSON object (docs/action-authority.md#herald-policy-test): on \
            (capability or gate), agent, org, level, score, stage, delegation_depth, time \
            (ISO 8601; default now), and either authorization_details (one RFC 9396 object), \
            mcp_server_id with tool_name, or type, action, resource, location, amount, currency. \
            Exit status 0; with --expect, 1 when the decision differs.
            """)

    @Option(name: .customLong("realm-file"), help: "The realm file (YAML or JSON).") var realmFile: String
    @Option(help: "The request, a JSON file.") var request: String
    @Option(help: "allow|deny: fail (exit 1) unless the policy decides this.") var expect: String?
    @Option(help: "table|json") var output: OutputFormat = .table

    func validate() throws {
        if let expect, PolicyEffect(rawValue: expect) == nil {
            throw ValidationError("--expect must be allow or deny, not \(expect)")
        }
    }

    func run() throws {
        let realm: LoadedRealm
        do { realm = try RealmImporter.loader.load(path: realmFile) } catch let error as RealmFileError {
            throw CLIError.usage(error.description)
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: request)) } catch {
            throw CLIError.usage("cannot read \(request): \(error.localizedDescription)")
        }
        let parsed: PolicyRequest
        do { parsed = try PolicyTestRequest.parse(data) } catch let error as PolicyTestRequest.Problem {
            throw CLIError.usage("\(request): \(error.message)")
        }
        let policy = realm.config.policy ?? PolicySet()
        let decision = PolicyEvaluator.evaluate(policy, parsed, explain: true)
        switch output {
        case .table: Self.printTable(decision, realm: realm.config.name, hasPolicy: realm.config.policy != nil)
        case .json: try Self.printJSON(decision)
        }
        if let expect, decision.effect.rawValue != expect {
            throw CLIError.usage("expected \(expect), the policy decided \(decision.effect.rawValue) "
                                 + "(\(decision.ruleName))")
        }
    }

    private static func located(_ rule: PolicyRule) -> String {
        rule.line.map { "\(rule.name) (line \($0))" } ?? rule.name
    }

    private static func printTable(_ decision: PolicyDecision, realm: String, hasPolicy: Bool) {
        Console.write("decision: \(decision.effect.rawValue)")
        Console.write("rule: \(decision.rule.map(located) ?? "default (no rule matched)")")
        Console.write("reason: \(hasPolicy ? decision.description : "realm \(realm) has no policy: everything is allowed")")
        guard !decision.trace.isEmpty else { return }
        Console.write("rules tried:")
        for (index, step) in decision.trace.enumerated() {
            let outcome = step.failed.map { "no match: \($0)" } ?? "matched -> \(step.rule.effect.rawValue)"
            Console.write("  \(index + 1). \(located(step.rule)): \(outcome)")
        }
    }

    private static func printJSON(_ decision: PolicyDecision) throws {
        var object: [String: Any] = ["decision": decision.effect.rawValue, "rule": decision.ruleName,
                                     "reason": decision.description]
        if let line = decision.rule?.line { object["line"] = line }
        object["trace"] = decision.trace.map { step -> [String: Any] in
            var entry: [String: Any] = ["rule": step.rule.name, "matched": step.failed == nil]
            if let line = step.rule.line { entry["line"] = line }
            if let failed = step.failed { entry["failed"] = failed }
            return entry
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        Console.write(String(decoding: data, as: UTF8.self))
    }
}

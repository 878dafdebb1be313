// herald-bench-seed: fills a herald data directory's store with N agents' lifecycle records
// and one passport each, for scripts/bench-gate.sh (issue 12: the MCP gate and /api/verify
// at 10 000 and 1 000 000 agents). Bench-only; not part of herald.
//
//   herald-bench-seed --store DATA/herald.sqlite --realm acme --agents 1000000 [--passports N]
//                     [--prefix bench-agent-] [--concurrency 16]
//
// Every record goes through SQLiteStore's own LifecycleRepository calls (modifyAgentLifecycle,
// savePassport), the same ones the server's first sight of an agent and its passport issuance
// use: the status index comes from the store, the primary keys and the UNIQUE status index are
// enforced, the JSON is the domain type's Codable form. Nothing is written by hand-made SQL.
// Seeding an agent that is already there keeps its record (idempotent, resumable).
// Each call is its own transaction (PRAGMA synchronous=FULL): scripts/bench-gate.sh runs this
// under eatmydata so the disk does not bound the seeding; the data is a throw-away bench store.
//
// The realm must already be in the store (start herald once on the data directory first).
// Agents are `<prefix><index, 7 digits>` at INTAKE with no gates; passport i is
// `asp_<i as 32 hex digits>` for agent i, MCPS, L2, valid for 30 days. Prints one line of
// key=value results.
import Foundation
import HeraldCore
import HeraldStore

/// `asp_` and the index as 32 lowercase hex digits (what bench/wrk-verify.lua asks for).
func passportID(_ index: Int) -> String {
    let hex = String(index, radix: 16)
    return "asp_" + String(repeating: "0", count: 32 - hex.count) + hex
}

func agentID(_ prefix: String, _ index: Int) -> String {
    let digits = String(index)
    return prefix + String(repeating: "0", count: max(0, 7 - digits.count)) + digits
}

/// Runs `body` for 0..<count with at most `width` calls in flight.
func forEach(_ count: Int, width: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        while next < min(width, count) {
            let i = next
            group.addTask { try await body(i) }
            next += 1
        }
        while try await group.next() != nil {
            if next < count {
                let i = next
                group.addTask { try await body(i) }
                next += 1
            }
        }
    }
}

func seed(_ options: SeedOptions) async throws {
    guard FileManager.default.fileExists(atPath: options.store) else {
        throw SeedError("\(options.store) does not exist: start herald once on the data directory to create it")
    }
    let store = try SQLiteStore(path: options.store)
    let realm = options.realm, prefix = options.prefix
    let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
    let passports = min(options.passports ?? options.agents, options.agents)
    let started = Date()
    try await forEach(options.agents, width: options.concurrency) { i in
        let agent = agentID(prefix, i)
        let record = try await store.modifyAgentLifecycle(realm: realm, agentID: agent) { record, next in
            if record == nil {  // seeded before: keep it
                record = AgentLifecycle(agentID: agent, org: "bench", registeredAt: now, statusIndex: next)
            }
        }
        guard i < passports, let record, try await store.passport(realm: realm, id: passportID(i)) == nil else { return }
        // The passport refers to its agent's status-list entry, as the issuer writes it.
        try await store.savePassport(PassportRecord(
            id: passportID(i), realm: realm, agentID: agent, format: .mcps, issuedAt: now,
            expiresAt: now.addingTimeInterval(30 * 86400), trustLevel: .l2, statusIndex: record.statusIndex))
    }
    let seconds = Date().timeIntervalSince(started)
    print("seed_agents=\(options.agents) seed_passports=\(passports) seed_seconds=\(String(format: "%.1f", seconds))")
}

do {
    try await seed(try SeedOptions.parse(Array(CommandLine.arguments.dropFirst())))
} catch {
    FileHandle.standardError.write(Data("herald-bench-seed: \(error)\n".utf8))
    exit(1)
}

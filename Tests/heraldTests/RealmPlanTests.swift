import Foundation
import HeraldAPI
import HeraldServer
import HeraldServices
import Testing
@testable import herald

@Suite("realm apply: plan and admin changes")
struct RealmPlanTests {
    static let base = """
        realm: acme
        token: {lifetime: 300s}
        role_mappings:
          - {group: payment-bots, role: mcps-l3}
          - {group: treasury, role: mcps-l4}
        directory:
          static:
            agents:
              - {id: agent-observer, name: Observer}
              - {id: agent-old, name: Old}
        clients:
          - {client_id: observer-bot, subject: agent-observer, auth: client_secret_post, secret: observer-secret-0123456789}
        """

    func canonical(_ text: String) throws -> JSONValue {
        RealmDiffCommand.canonical(try RealmImporter.loader.load(text: text, file: "acme.yaml", baseDirectory: "/nonexistent"))
    }

    func edited() throws -> JSONValue {
        try canonical(Self.base
            .replacingOccurrences(of: "token: {lifetime: 300s}", with: "token: {lifetime: 10m}")
            .replacingOccurrences(of: "{group: payment-bots, role: mcps-l3}", with: "{group: payment-bots, role: mcps-l2}")
            .replacingOccurrences(of: "      - {id: agent-old, name: Old}\n", with: "")
            .replacingOccurrences(of: "name: Observer}", with: "name: Observer Bot}")
            + "\n  - {client_id: new-bot, subject: agent-observer, auth: client_secret_basic, secret: new-bot-secret-0123456789}")
    }

    @Test("added, removed and changed objects and settings, one line each, members indented")
    func plan() throws {
        let plan = RealmPlan.compute(server: try canonical(Self.base), file: try edited())
        #expect(plan.rendered(realm: "acme") == """
            realm acme: 2 to add, 2 to change, 2 to remove
            ~ setting token.lifetime: "5m" → "10m"
            + client new-bot
            +     auth: "client_secret_basic"
            +     client_id: "new-bot"
            +     subject: "agent-observer"
            ~ agent agent-observer
            ~     name: "Observer" → "Observer Bot"
            - agent agent-old
            -     groups: []
            -     id: "agent-old"
            -     name: "Old"
            -     roles: []
            + role mapping payment-bots → mcps-l2
            +     group: "payment-bots"
            +     role: "mcps-l2"
            - role mapping payment-bots → mcps-l3
            -     group: "payment-bots"
            -     role: "mcps-l3"
            """)
        #expect(RealmPlan.compute(server: try canonical(Self.base), file: try canonical(Self.base)).isEmpty)
        // Secrets are not compared: the server keeps only digests.
        let otherSecret = try canonical(Self.base.replacingOccurrences(of: "observer-secret-0123456789", with: "another-secret-0123456789"))
        #expect(RealmPlan.compute(server: try canonical(Self.base), file: otherSecret).isEmpty)
    }

    @Test("a realm the server lacks: everything is added")
    func newRealm() throws {
        let plan = RealmPlan.compute(server: nil, file: try canonical(Self.base))
        #expect(plan.changes.allSatisfy { $0.action == .add })
        #expect(plan.changes.contains { $0.object == .init(kind: .client, id: "observer-bot") })
        #expect(plan.changes.contains { $0.object == .init(kind: .setting, id: "token.lifetime") })
    }

    static func entry(_ seq: Int64, _ type: String, _ detail: [String: String]) -> JSONValue {
        .object(["seq": .int(seq), "type": .string(type), "time": .string("2026-12-03T06:00:00Z"),
                 "detail": .object(detail.mapValues(JSONValue.string))])
    }

    @Test("admin edits since the last import are the ones a plan must not undo")
    func conflicts() throws {
        var log = AdminChangeLog()
        log.read([
            Self.entry(1, "admin.client.created", ["client_id": "gone-bot"]),
            Self.entry(2, "admin.realm.imported", [:]),
            Self.entry(3, "admin.client.created", ["client_id": "cli-bot"]),
            Self.entry(4, "admin.mapping.added", ["id": "rm-3", "group": "auditors", "role": "mcps-l1"]),
            Self.entry(5, "admin.levels.changed", ["levels": "L2"]),
            Self.entry(6, "admin.key.prepared", ["kid": "k"]),
            Self.entry(7, "admin.client.secret_rotated", ["client_id": "observer-bot"]),
        ])
        #expect(log.touched.keys.sorted() == [.init(kind: .client, id: "cli-bot"), .init(kind: .roleMapping, id: "auditors → mcps-l1")])
        #expect(log.unknown.isEmpty)
        var server = try canonical(Self.base + "\n  - {client_id: cli-bot, subject: agent-observer, auth: client_secret_post, secret: cli-bot-secret-0123456789}")
        if case .object(var members) = server, case .object(var levels)? = members["levels"],
           case .object(var l2)? = levels["L2"] {
            l2["tx_limit"] = .int(999)
            levels["L2"] = .object(l2)
            members["levels"] = .object(levels)
            server = .object(members)
        }
        let plan = RealmPlan.compute(server: server, file: try canonical(Self.base))
        let conflicts = log.conflicts(with: plan, fileSecrets: ["observer-bot"]).map(\.text)
        #expect(conflicts == [
            "~ setting levels.L2.tx_limit: levels.L2 changed through the admin API (admin.levels.changed at 2026-12-03T06:00:00Z, audit seq 5)",
            "- client cli-bot: changed through the admin API (admin.client.created at 2026-12-03T06:00:00Z, audit seq 3)",
            "~ client observer-bot: its secret was rotated through the admin API (admin.client.secret_rotated at 2026-12-03T06:00:00Z, audit seq 7)",
        ])
        // The file edited to keep the admin's client: that conflict is gone.
        let kept = RealmPlan.compute(server: server, file: server)
        #expect(log.conflicts(with: kept, fileSecrets: []).isEmpty)
    }

    @Test("without an audit log, or after an event it does not know, every change counts")
    func failClosed() throws {
        let plan = RealmPlan.compute(server: try canonical(Self.base), file: try edited())
        var off = AdminChangeLog()
        off.unavailable = true
        #expect(off.conflicts(with: plan, fileSecrets: []).count == plan.changes.count)
        var unknown = AdminChangeLog()
        unknown.read([Self.entry(9, "admin.realm.renamed", [:])])
        #expect(unknown.conflicts(with: plan, fileSecrets: []).count == plan.changes.count)
        var removed = AdminChangeLog()
        removed.read([Self.entry(3, "admin.mapping.removed", ["id": "rm-1"])])
        #expect(removed.conflicts(with: plan, fileSecrets: []).map(\.change.object) == [.init(kind: .roleMapping, id: "payment-bots → mcps-l2")])
        // Since the server names the removed mapping, only re-adding that one conflicts.
        var named = AdminChangeLog()
        named.read([Self.entry(3, "admin.mapping.removed", ["id": "rm-1", "group": "payment-bots", "role": "mcps-l2"])])
        #expect(named.conflicts(with: plan, fileSecrets: []).map(\.change.object) == [.init(kind: .roleMapping, id: "payment-bots → mcps-l2")])
        named = AdminChangeLog()
        named.read([Self.entry(3, "admin.mapping.removed", ["id": "rm-7", "group": "auditors", "role": "mcps-l1"])])
        #expect(named.conflicts(with: plan, fileSecrets: []).isEmpty)
    }
}

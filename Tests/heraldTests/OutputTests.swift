import Foundation
import HeraldAPI
import Testing
@testable import herald

@Suite("CLI output")
struct OutputTests {
    @Test("tables align columns under their headers")
    func table() {
        #expect(renderTable(["KID", "STATE"], [["abc", "active"], ["a", "retired"]]) == "KID  STATE\nabc  active\na    retired")
    }

    @Test("JSON renders pretty with sorted keys and round-trips")
    func json() throws {
        let text = #"{"b":[1,2.5,true,null],"a":{"z":"x\"y\n","y":[]},"c":{}}"#
        let value = try JSONValue(parsing: Data(text.utf8))
        #expect(value.rendered() == """
            {
              "a": {
                "y": [],
                "z": "x\\"y\\n"
              },
              "b": [
                1,
                2.5,
                true,
                null
              ],
              "c": {}
            }
            """)
        #expect(value.rendered(pretty: false) == #"{"a":{"y":[],"z":"x\"y\n"},"b":[1,2.5,true,null],"c":{}}"#)
        #expect(try JSONValue(parsing: value.data) == value)
    }

    @Test("list tables from admin API answers")
    func lists() throws {
        let mappings = try JSONDecoder().decode(AdminRoleMappingList.self, from: Data(#"{"role_mappings":[{"id":"rm-1","group":"payment-bots","role":"mcps-l3"}]}"#.utf8))
        #expect(MappingTable.render(mappings) == "ID    GROUP         ROLE\nrm-1  payment-bots  mcps-l3")

        let keys = try JSONValue(parsing: Data(#"""
            {"keys":[{"kid":"k1","alg":"ES256","state":"active","created_at":"2025-01-01T00:00:00Z",
              "activate_at":"2025-01-01T00:10:00Z","activated_at":"2025-01-01T00:10:05Z","retired_at":null,
              "publish_until":null},
             {"kid":"k2","alg":"EdDSA","state":"prepared","created_at":"2025-02-01T00:00:00Z",
              "activate_at":"2025-02-01T00:10:00Z","activated_at":null,"retired_at":null,"publish_until":null}]}
            """#.utf8))
        #expect(KeyTable.render(keys) == """
            KID  ALG    STATE     CREATED               SIGNS FROM            PUBLISHED UNTIL
            k1   ES256  active    2025-01-01T00:00:00Z  2025-01-01T00:10:05Z
            k2   EdDSA  prepared  2025-02-01T00:00:00Z  2025-02-01T00:10:00Z
            """)
        #expect(KeyTable.describe(keys["keys"]!.array![1]) == "key k2 (EdDSA) is prepared; it signs from 2025-02-01T00:10:00Z")

        let levels = try JSONDecoder().decode(AdminLevelTable.self, from: Data(#"""
            {"L1":{"label":"Restricted","payment_enabled":true,"tx_limit":10,"day_limit":50,"scopes":["sanctions_screen"],"earned_at_score":20},
             "L0":{"label":"Untrusted","payment_enabled":false,"tx_limit":0,"day_limit":0,"scopes":[],"earned_at_score":0}}
            """#.utf8))
        #expect(LevelTableView.render(levels) == """
            LEVEL  LABEL       PAYMENT  TX LIMIT  DAY LIMIT  EARNED AT  SCOPES
            L0     Untrusted   false    0         0          0
            L1     Restricted  true     10        50         20         sanctions_screen
            """)

        let agents = try JSONValue(parsing: Data(#"{"agents":[{"id":"agent-two","roles":["mcps-l2"],"groups":[],"org":"finance","trust_level":"L2"}]}"#.utf8))
        #expect(AgentTable.render(agents) == "ID         NAME  ORG      ROLES    GROUPS  LEVEL\nagent-two        finance  mcps-l2          L2")
        #expect(AgentTable.renderOne(agents["agents"]!.array![0]) == """
            id           agent-two
            org          finance
            roles        mcps-l2
            groups
            trust_level  L2
            """)

        let entries = try JSONValue(parsing: Data(#"""
            [{"seq":7,"time":"2025-01-01T00:00:00Z","type":"token.denied","actor":"two-bot","agent":"agent-two",
              "client":"two-bot","reason":"unknown scope","detail":{},"prev_hash":"aa","hash":"bb"}]
            """#.utf8))
        #expect(AuditTable.render(entries.array!) == """
            SEQ  TIME                  TYPE          ACTOR    AGENT      CLIENT   REASON
            7    2025-01-01T00:00:00Z  token.denied  two-bot  agent-two  two-bot  unknown scope
            """)
    }

    @Test("audit tail finds the last entries with few requests")
    func tail() async throws {
        for total in [0, 1, 5, 1023, 1024, 1025, 5000] {
            let requests = Lines()
            let entries = try await AuditTailCommand.tail(20) { after, limit in
                requests.append("\(after)")
                guard after < Int64(total) else { return [] }
                return (after + 1...min(Int64(total), after + Int64(min(limit, 7)))).map { ["seq": .int($0)] }
            }
            #expect(entries.compactMap { $0["seq"]?.int } == Array(Int64(max(0, total - 20) + 1)...Int64(max(total, 1)))
                .filter { $0 <= Int64(total) }, "total \(total)")
            #expect(requests.text.split(separator: "\n").count < 40)
        }
    }
}

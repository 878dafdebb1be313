import HeraldCore
import Testing

@Suite("Level table")
struct LevelTableTests {
    @Test("defaults are the contract's table")
    func defaults() {
        let table = LevelTable.defaults
        let rows = TrustLevel.allCases.map { table[$0] }
        #expect(rows.map(\.label) == ["Untrusted", "Restricted", "Standard", "Elevated", "Full Access"])
        #expect(rows.map(\.paymentEnabled) == [false, true, true, true, true])
        #expect(rows.map(\.txLimit) == [0, 10, 100, 1000, 50000])
        #expect(rows.map(\.dayLimit) == [0, 50, 500, 5000, 200_000])
        #expect(rows.map(\.earnedAtScore) == [0, 20, 40, 60, 80])
    }

    @Test("an override changes only its cells")
    func overrides() {
        let table = LevelTable(overrides: [.l3: LevelPolicyOverride(txLimit: 2500, scopes: ["a"])])
        #expect(table[.l3].txLimit == 2500)
        #expect(table[.l3].scopes == ["a"])
        #expect(table[.l3].dayLimit == 5000)
        #expect(table[.l3].label == "Elevated")
        #expect(table[.l2] == LevelTable.defaults[.l2])
    }

    @Test("the mcps claim carries the row and the L<n> -- label form")
    func claim() {
        let claim = LevelTable.defaults.claim(for: .l2)
        #expect(claim.trustLabel == "L2 -- Standard")
        #expect(claim.trustLevel == .l2)
        #expect(claim.txLimit == 100 && claim.dayLimit == 500 && claim.paymentEnabled)
    }

    @Test("score bands", arguments: [(0, TrustLevel.l0), (19, .l0), (20, .l1), (59, .l2), (60, .l3), (80, .l4), (100, .l4)])
    func earned(score: Int, level: TrustLevel) {
        #expect(LevelTable.defaults.earnedLevel(forScore: score) == level)
    }

    @Test("round-trips through Codable with its overrides")
    func codable() throws {
        let table = LevelTable(overrides: [.l1: LevelPolicyOverride(label: "Probation")])
        let data = try JSONEncoder().encode(table)
        #expect(try JSONDecoder().decode(LevelTable.self, from: data) == table)
    }
}

import Foundation

import Foundation
import HeraldServer
import HeraldServices
import HeraldTesting
import Testing
@testable import herald

@Suite("realm diff")
struct DiffTests {
    @Test("unified diff of lines, with context and hunk headers")
    func unified() {
        let old = (1...12).map { "line \($0)" }
        var new = old
        new[1] = "line two"
        new.remove(at: 9)
        new.append("line 13")
        #expect(LineDiff.unified(old, old, from: "a", to: "b") == "")
        #expect(LineDiff.unified(old, new, from: "a", to: "b") == """
            --- a
            +++ b
            @@ -1,5 +1,5 @@
             line 1
            -line 2
            +line two
             line 3
             line 4
             line 5
            @@ -7,6 +7,6 @@
             line 7
             line 8
             line 9
            -line 10
             line 11
             line 12
            +line 13
            """)
        #expect(LineDiff.unified([], ["a"], from: "/dev/null", to: "f") == "--- /dev/null\n+++ f\n@@ -0,0 +1,1 @@\n+a")
    }

    private func load(_ text: String) throws -> [String] {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let realm = try RealmImporter.loader.load(path: try directory.write("realm.yaml", text))
        return RealmDiffCommand.canonicalLines(realm)
    }

    @Test("equivalent realm files have no diff; a real change is one hunk")
    func canonical() throws {
        let base = RealmFixtures.testRealm()
        // The same realm written differently: another duration spelling, a default spelled out.
        let respelled = base.replacingOccurrences(of: "token: {lifetime: 300s, algorithms: [ES256]}",
                                                  with: "token: {lifetime: 5m, algorithms: [ES256]}")
            .replacingOccurrences(of: "  L3: {tx_limit: 2500}", with: "  L3: {tx_limit: 2500}\n  L1: {tx_limit: 10}")
        #expect(LineDiff.unified(try load(base), try load(respelled), from: "server", to: "file") == "")

        let changed = base.replacingOccurrences(of: "  - {group: vault, role: mcps-l4}", with: "  - {group: vault, role: mcps-l3}")
        let diff = LineDiff.unified(try load(base), try load(changed), from: "server", to: "file")
        #expect(diff.contains("-      \"role\": \"mcps-l4\""), "\(diff)")
        #expect(diff.contains("+      \"role\": \"mcps-l3\""), "\(diff)")
        #expect(diff.components(separatedBy: "@@ -").count == 2)
    }
}

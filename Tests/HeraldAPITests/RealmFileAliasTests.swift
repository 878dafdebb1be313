import Foundation
import HeraldAPI
import Testing

@Suite("Realm files: YAML aliases")
struct RealmFileAliasTests {
    let loader = RealmFileLoader(environment: [:], checkJWKS: { _ in })

    /// Nine levels of nine aliases each, the last two used as mapping keys: Yams hashed each
    /// key's 9^8-node tree whole, which took minutes (found while fuzzing the realm loader).
    static func billionLaughs(levels: Int = 9) -> String {
        var lines = ["x0: &a0 [x, x, x, x, x, x, x, x, x]"]
        for level in 1..<levels {
            lines.append("x\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]")
        }
        lines.append("realm: laughs")
        lines.append("? *a\(levels - 1)\n: 1")
        lines.append("? [" + Array(repeating: "*a\(levels - 2)", count: 9).joined(separator: ", ") + "]\n: 2")
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("a document of aliases of aliases is refused before it is composed, at once, naming the line")
    func billionLaughsRefused() throws {
        let started = ContinuousClock.now
        let error = try #require(throws: RealmFileError.self) {
            try loader.load(text: Self.billionLaughs(), file: "laughs.yaml", baseDirectory: "/nonexistent")
        }
        #expect(ContinuousClock.now - started < .seconds(1))
        let issue = try #require(error.issues.first)
        #expect(error.issues.count == 1)
        #expect(issue.message.contains("more than 32 YAML aliases"))
        #expect(issue.line == 5)  // the 33rd alias: line 1 has none, lines 2-4 nine each, then line 5
    }

    @Test("a few aliases still load (a * after a space in a quoted value counts too, far below the limit)")
    func fewAliases() throws {
        let text = """
            realm: aliases
            display_name: "5 * 3 = 15, a*b"
            levels:
              L1: {scopes: &common [read, write]}
              L2: {scopes: *common}
            """
        let realm = try loader.load(text: text, file: "a.yaml", baseDirectory: "/nonexistent")
        #expect(realm.config.displayName == "5 * 3 = 15, a*b")
        #expect(realm.config.levelOverrides["L2"]?.scopes == ["read", "write"])
    }
}

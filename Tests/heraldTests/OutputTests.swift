@testable import herald
import Testing

@Suite("CLI output")
struct OutputTests {
    @Test("tables align columns under their headers")
    func table() {
        #expect(renderTable(["KID", "STATE"], [["abc", "active"], ["a", "retired"]]) == "KID  STATE\nabc  active\na    retired")
    }
}

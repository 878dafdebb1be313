import HeraldCore
import Testing

@Suite("Durations")
struct DurationTextTests {
    @Test("units", arguments: [("45s", 45), ("5m", 300), ("12h", 43200), ("30d", 2_592_000)])
    func parse(text: String, seconds: Int) {
        #expect(DurationText.seconds(text) == seconds)
        #expect(DurationText.format(seconds) == text)
    }

    @Test("refused", arguments: ["", "5", "m", "-5m", "0s", "5 m", "1.5h", "5w"])
    func refused(text: String) {
        #expect(DurationText.seconds(text) == nil)
    }
}

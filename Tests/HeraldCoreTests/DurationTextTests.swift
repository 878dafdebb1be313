import HeraldCore
import Testing

@Suite("Durations")
struct DurationTextTests {
    @Test("units", arguments: [("45s", 45), ("5m", 300), ("12h", 43200), ("30d", 2_592_000)])
    func parse(text: String, seconds: Int) {
        #expect(DurationText.seconds(text) == seconds)
        #expect(DurationText.format(seconds) == text)
    }

    @Test("refused", arguments: ["", "5", "m", "-5m", "0s", "5 m", "1.5h", "5w",
                                 "9223372036854775807m", "106751991167301d", "99999999999999999999s"])
    func refused(text: String) {
        #expect(DurationText.seconds(text) == nil)
    }

    @Test("the largest durations that fit are read exactly")
    func largest() {
        #expect(DurationText.seconds("9223372036854775807s") == Int.max)
        #expect(DurationText.seconds("106751991167300d") == 106_751_991_167_300 * 86400)
    }
}

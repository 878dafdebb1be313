/// Durations as realm files write them: `45s`, `5m`, `12h`, `30d`.
public enum DurationText {
    /// Seconds in `text`, or nil when it is not a positive whole number followed by s, m, h or
    /// d, or when the seconds do not fit an `Int` (as when the number alone does not).
    public static func seconds(_ text: String) -> Int? {
        guard let unit = text.last, let value = Int(text.dropLast()), value > 0 else { return nil }
        let multiplier: Int
        switch unit {
        case "s": multiplier = 1
        case "m": multiplier = 60
        case "h": multiplier = 3600
        case "d": multiplier = 86400
        default: return nil
        }
        // Found by schemathesis: `99999999999999999d` trapped on overflow and took the server down.
        let (seconds, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : seconds
    }

    /// The shortest exact form of `seconds`: 600 → `10m`.
    public static func format(_ seconds: Int) -> String {
        if seconds % 86400 == 0 { return "\(seconds / 86400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}

/// Durations as realm files write them: `45s`, `5m`, `12h`, `30d`.
public enum DurationText {
    /// Seconds in `text`, or nil when it is not a positive whole number followed by s, m, h or d.
    public static func seconds(_ text: String) -> Int? {
        guard let unit = text.last, let value = Int(text.dropLast()), value > 0 else { return nil }
        switch unit {
        case "s": return value
        case "m": return value * 60
        case "h": return value * 3600
        case "d": return value * 86400
        default: return nil
        }
    }

    /// The shortest exact form of `seconds`: 600 → `10m`.
    public static func format(_ seconds: Int) -> String {
        if seconds % 86400 == 0 { return "\(seconds / 86400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}

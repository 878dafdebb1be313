import Foundation

/// The id that ties one request's access log line, log lines and response together
/// (`X-Request-Id`, in and out).
///
/// An incoming id is kept when it is 1–128 characters of `A-Z a-z 0-9 - _ . : @ / + =`, so a
/// proxy's or client's id (a UUID, a W3C trace id, `req-123`) survives, while an id that could
/// forge log lines or fields (spaces, quotes, control characters) or bloat them is replaced.
public enum RequestID {
    /// The request and response header.
    public static let header = "X-Request-Id"
    /// The longest incoming id kept.
    public static let maxLength = 128

    /// `incoming` when it is a safe id, else a freshly generated one.
    public static func resolve(_ incoming: String?) -> String {
        if let incoming, isAcceptable(incoming) { return incoming }
        return generate()
    }

    /// Whether `text` is kept as it is.
    public static func isAcceptable(_ text: String) -> Bool {
        let bytes = text.utf8
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        return bytes.allSatisfy(isSafe)
    }

    /// 128 random bits as 32 lowercase hex digits (no dashes: one token to grep for).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64, low = generator.next() as UInt64
        return hex(high) + hex(low)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    private static func isSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "@"),
             UInt8(ascii: "/"), UInt8(ascii: "+"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }
}

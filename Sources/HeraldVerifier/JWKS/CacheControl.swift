import Foundation

/// The freshness lifetime a `Cache-Control` header grants (RFC 9111 §5.2.2): `max-age=N`,
/// with `no-cache` and `no-store` meaning zero. Nil when the header says nothing about it.
enum CacheControl {
    static func maxAge(_ header: String?) -> Int? {
        guard let header else { return nil }
        var result: Int?
        for directive in header.split(separator: ",") {
            let trimmed = directive.trimmingCharacters(in: .whitespaces).lowercased()
            if trimmed == "no-cache" || trimmed == "no-store" { return 0 }
            if trimmed.hasPrefix("max-age=") {
                var value = trimmed.dropFirst("max-age=".count)
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
                // A delta-seconds too large for Int is "a very long time" (RFC 9111 §1.2.2).
                if !value.isEmpty, value.allSatisfy(\.isASCIIDigit) { result = Int(value) ?? Int.max }
            }
        }
        return result
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

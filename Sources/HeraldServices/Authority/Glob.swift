import Foundation

/// Shell-style patterns of policy conditions: `*` matches any run of characters (also none);
/// every other character matches itself.
package enum Glob {
    package static func matches(_ pattern: String, _ text: String) -> Bool {
        guard pattern.contains("*") else { return pattern == text }
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false)
        var rest = Substring(text)
        // The first part anchors the start and the last the end; the middle ones, in order.
        guard let first = parts.first, rest.hasPrefix(first) else { return false }
        rest = rest.dropFirst(first.count)
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        guard let last = parts.last else { return true }
        return rest.count >= last.count && rest.hasSuffix(last)
    }
}

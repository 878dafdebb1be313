/// A line diff in the unified format (`diff -u`), for `herald realm diff`.
enum LineDiff {
    enum Line: Equatable {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// Above this many cells the middle is reported as replaced wholesale rather than aligned.
    static let alignmentLimit = 4_000_000

    /// The edit script from `old` to `new`: common prefix and suffix kept, the middle aligned
    /// on a longest common subsequence.
    static func lines(_ old: [String], _ new: [String]) -> [Line] {
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix,
              old[old.count - 1 - suffix] == new[new.count - 1 - suffix] { suffix += 1 }
        let a = Array(old[prefix..<(old.count - suffix)])
        let b = Array(new[prefix..<(new.count - suffix)])
        var result = old[..<prefix].map(Line.same)
        if a.count * b.count > alignmentLimit {
            result += a.map(Line.removed) + b.map(Line.added)
        } else {
            // lengths[i][j]: LCS length of a[i...] and b[j...].
            let width = b.count + 1
            var lengths = [Int32](repeating: 0, count: (a.count + 1) * width)
            for i in stride(from: a.count - 1, through: 0, by: -1) {
                for j in stride(from: b.count - 1, through: 0, by: -1) {
                    lengths[i * width + j] = a[i] == b[j] ? lengths[(i + 1) * width + j + 1] + 1
                        : max(lengths[(i + 1) * width + j], lengths[i * width + j + 1])
                }
            }
            var i = 0, j = 0
            while i < a.count || j < b.count {
                if i < a.count, j < b.count, a[i] == b[j] {
                    result.append(.same(a[i])); i += 1; j += 1
                } else if i < a.count, j == b.count || lengths[(i + 1) * width + j] >= lengths[i * width + j + 1] {
                    result.append(.removed(a[i])); i += 1
                } else {
                    result.append(.added(b[j])); j += 1
                }
            }
        }
        result += old[(old.count - suffix)...].map(Line.same)
        return result
    }

    /// `--- from` / `+++ to` and hunks with `context` lines around each change; empty when
    /// the two are equal.
    static func unified(_ old: [String], _ new: [String], from: String, to: String, context: Int = 3) -> String {
        let script = lines(old, new)
        let changed = script.indices.filter { if case .same = script[$0] { false } else { true } }
        guard !changed.isEmpty else { return "" }
        // Group changes whose context windows touch.
        var hunks: [ClosedRange<Int>] = []
        for index in changed {
            let window = max(0, index - context)...min(script.count - 1, index + context)
            if let last = hunks.last, window.lowerBound <= last.upperBound + 1 {
                hunks[hunks.count - 1] = last.lowerBound...window.upperBound
            } else {
                hunks.append(window)
            }
        }
        // Line numbers (1-based) in old and new at each script position.
        var oldLine = [Int](repeating: 0, count: script.count + 1), newLine = oldLine
        var o = 1, n = 1
        for (index, line) in script.enumerated() {
            oldLine[index] = o
            newLine[index] = n
            switch line {
            case .same: o += 1; n += 1
            case .removed: o += 1
            case .added: n += 1
            }
        }
        var out = ["--- \(from)", "+++ \(to)"]
        for hunk in hunks {
            let part = script[hunk]
            let oldCount = part.filter { if case .added = $0 { false } else { true } }.count
            let newCount = part.filter { if case .removed = $0 { false } else { true } }.count
            let oldStart = oldCount == 0 ? oldLine[hunk.lowerBound] - 1 : oldLine[hunk.lowerBound]
            let newStart = newCount == 0 ? newLine[hunk.lowerBound] - 1 : newLine[hunk.lowerBound]
            out.append("@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@")
            for line in part {
                switch line {
                case .same(let text): out.append(" " + text)
                case .removed(let text): out.append("-" + text)
                case .added(let text): out.append("+" + text)
                }
            }
        }
        return out.joined(separator: "\n")
    }
}

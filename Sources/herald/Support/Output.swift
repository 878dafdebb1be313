import Foundation

/// Writes a line to standard error.
func printError(_ message: String) {
    Console.writeError(message)
}

/// `--output table|json` for listing commands.
enum OutputFormat: String, CaseIterable, Sendable {
    case table, json
}

/// Left-aligned columns with a header row.
func renderTable(_ header: [String], _ rows: [[String]]) -> String {
    let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
    return ([header] + rows).map { row in
        row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }.joined(separator: "\n")
}

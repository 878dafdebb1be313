import ArgumentParser
import HeraldAPI

/// `herald config example`: a `herald.yaml` with every key, commented.
struct ConfigExampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example", abstract: "Print a commented herald.yaml with every key.")

    func run() {
        Console.write(Self.text)
    }

    /// Every key with its help, flag, variable and default; values are examples, not defaults,
    /// and the keys without a default are commented out.
    static var text: String {
        var lines = [
            "# herald.yaml: the settings of `herald serve --config FILE` (or HERALD_CONFIG=FILE).",
            "# A flag overrides its HERALD_* variable, which overrides this file, which overrides the default.",
            "# Relative paths resolve against this file's directory. Check with `herald config check FILE`.",
        ]
        for section in ServerConfigKey.sections {
            lines.append("")
            lines.append("\(section):")
            for key in ServerConfigKey.all where key.section == section {
                lines.append("  # \(key.help)")
                let flag = key.flag.map { "flag \($0), " } ?? ""
                lines.append("  # \(flag)env \(key.environment); default \(key.defaultText).")
                // Optional features (no default) are shown commented out, so the example starts as it is.
                lines.append("  \(key.defaultValue == nil ? "# " : "")\(key.name): \(key.example)")
            }
        }
        return lines.joined(separator: "\n")
    }
}

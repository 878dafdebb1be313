import ArgumentParser
import Foundation
import HeraldAPI

/// The settings `herald serve` runs with, each from the first place that sets it: a flag,
/// else its `HERALD_*` environment variable, else `herald.yaml`, else the default.
struct ServeSettings {
    enum Source: String {
        case flag, environment = "env", file, `default`
    }

    struct Setting {
        let key: ServerConfigKey
        let value: ServerConfigValue?
        let source: Source
    }

    /// In ``ServerConfigKey/all`` order.
    let settings: [Setting]

    init(flags: [String: ServerConfigValue], environment: [String: String], file: ServerConfigFile?) {
        settings = ServerConfigKey.all.map { key in
            if let value = flags[key.path] { return Setting(key: key, value: value, source: .flag) }
            if let text = environment[key.environment], !text.isEmpty {
                return Setting(key: key, value: Self.value(ofEnvironment: text, for: key), source: .environment)
            }
            if let value = file?.values[key.path] { return Setting(key: key, value: value, source: .file) }
            return Setting(key: key, value: key.defaultValue, source: .default)
        }
    }

    /// How an environment variable spells a value: a list comma-separated, a flag 1/true/yes.
    static func value(ofEnvironment text: String, for key: ServerConfigKey) -> ServerConfigValue {
        switch key.kind {
        case .flag: return .bool(["1", "true", "yes", "on"].contains(text.lowercased()))
        case .list: return .strings(commaList(text))
        case .text, .path, .choice: return .string(text)
        }
    }

    /// The environment `herald serve` reads its options from: the process's `HERALD_*`
    /// variables over the values of the config file (`--config`, else `HERALD_CONFIG`),
    /// written as those variables. Every option reads `flag ?? environment["HERALD_X"]`, so
    /// this one merge gives flag > env > file > default. An empty variable counts as unset
    /// when the file sets the key (`HERALD_LISTEN= herald serve --config f` uses the file's).
    /// A bad file: every problem is printed, with its line, and a ValidationError thrown.
    static func layeredEnvironment(config: String?, environment: [String: String]) throws -> [String: String] {
        let file: ServerConfigFile?
        do { file = try loadFile(flag: config, environment: environment) } catch let error as RealmFileError {
            // The CLI reports a usage error in one line; the problems go above it, one a line.
            printError(error.description)
            throw ValidationError("the config file has \(error.issues.count) problem\(error.issues.count == 1 ? "" : "s") "
                + "(listed above; `herald config example` shows every key)")
        }
        guard let file else { return environment }
        var layered = environment
        for key in ServerConfigKey.all {
            guard let value = file.values[key.path], (environment[key.environment] ?? "").isEmpty else { continue }
            layered[key.environment] = switch value {
            case .string(let text): text
            case .bool(let flag): flag ? "true" : "false"
            case .strings(let items): items.joined(separator: ",")
            }
        }
        return layered
    }

    /// The config file named by `--config`, else `HERALD_CONFIG`; nil when neither is given.
    /// There is no default location: a server whose behaviour changes because a file exists
    /// somewhere it was not told about is hard to reason about (and tests would pick it up).
    static func loadFile(flag: String?, environment: [String: String]) throws -> ServerConfigFile? {
        guard let path = flag ?? environment["HERALD_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        return try ServerConfigFile.load(path: path)
    }

    func setting(_ path: String) -> Setting {
        guard let setting = settings.first(where: { $0.key.path == path }) else {
            preconditionFailure("no herald.yaml key \(path) in ServerConfigKey.all")
        }
        return setting
    }

    func string(_ path: String) -> String? { setting(path).value?.string }
    func bool(_ path: String) -> Bool { setting(path).value?.bool ?? false }
    func strings(_ path: String) -> [String] { setting(path).value?.strings ?? [] }

    /// The effective configuration as a `herald.yaml`, each line saying where it came from;
    /// secrets as `<redacted>`.
    func rendered() -> String {
        var lines: [String] = []
        for section in ServerConfigKey.sections {
            lines.append("\(section):")
            for setting in settings where setting.key.section == section {
                // Unset keys as comments, so that the output is itself a valid herald.yaml.
                guard let value = setting.value else {
                    lines.append("  # \(setting.key.name): unset  # default: \(setting.key.defaultText)")
                    continue
                }
                let shown = setting.key.secret ? "<redacted>" : value.description
                lines.append("  \(setting.key.name): \(shown)  # \(setting.source.rawValue)")
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// One setting's value in `herald.yaml`, from the environment or from a flag.
public enum ServerConfigValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case bool(Bool)
    case strings([String])

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var strings: [String]? {
        if case .strings(let values) = self { return values }
        return nil
    }

    /// As YAML would write it: a list in brackets, text quoted when YAML would read it as
    /// something else.
    public var description: String {
        switch self {
        case .string(let value): return Self.quoted(value)
        case .bool(let value): return value ? "true" : "false"
        case .strings(let values): return "[" + values.map(Self.quoted).joined(separator: ", ") + "]"
        }
    }

    static func quoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || "./_-:@".contains($0) }
            && !["true", "false", "yes", "no", "on", "off", "null", "~"].contains(text.lowercased())
            && !text.hasPrefix("-") && Int(text) == nil
        return plain ? text : "\"" + text.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

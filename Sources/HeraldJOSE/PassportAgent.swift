/// The agent a passport describes: `agent` in both passport formats (wire-formats §4).
public struct PassportAgent: Sendable, Hashable {
    public var name: String
    public var version: String
    public var capabilities: [String]

    public init(name: String, version: String, capabilities: [String]) {
        self.name = name
        self.version = version
        self.capabilities = capabilities
    }

    /// `{"name","version","capabilities"}`.
    public var jcsValue: JCSValue {
        .object(["name": .string(name), "version": .string(version), "capabilities": .array(capabilities.map { .string($0) })])
    }

    /// Reads `{"name","version","capabilities"}`; `what` names the member in errors.
    public init(_ value: JCSValue?, what: String = "agent") throws {
        guard let members = value?.objectValue else {
            throw JOSEError(.malformed, "\(what) must be an object with name, version and capabilities")
        }
        guard let name = members["name"]?.stringValue, !name.isEmpty else {
            throw JOSEError(.malformed, "\(what).name must be a non-empty string")
        }
        guard let version = members["version"]?.stringValue else {
            throw JOSEError(.malformed, "\(what).version must be a string")
        }
        var capabilities: [String] = []
        if let list = members["capabilities"], !list.isNull {
            guard let values = list.arrayValue else { throw JOSEError(.malformed, "\(what).capabilities must be an array") }
            for value in values {
                guard let text = value.stringValue else {
                    throw JOSEError(.malformed, "\(what).capabilities must hold strings, not \(value.typeName)")
                }
                capabilities.append(text)
            }
        }
        self.init(name: name, version: version, capabilities: capabilities)
    }
}
